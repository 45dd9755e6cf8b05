/// 证书编号: `YYYY` · county code (6) · serial within the county and year (6) · check character.
///
/// For example `2017510104000123` + `7` → `20175101040001237`. The check character is
/// ISO 7064 MOD 11-2 over the 16 digits (the rule of the resident ID), so that a number read
/// off paper with one digit wrong or two digits swapped is refused instead of finding another
/// person's certificate. The number is printed and may be published; it is not the secret that
/// the verification token is.
public struct CertificateNumber: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let value: String

    public var description: String { value }

    public var year: Int { Int(value.prefix(4))! }
    public var countyCode: String { String(value.dropFirst(4).prefix(6)) }
    public var serial: Int { Int(value.dropFirst(10).prefix(6))! }

    public static let maximumSerial = 999_999

    public init(year: Int, countyCode: String, serial: Int) {
        precondition((1000...9999).contains(year) && countyCode.utf8.count == 6
                     && countyCode.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } && (1...Self.maximumSerial).contains(serial))
        let serialText = String(serial)
        let body = String(year) + countyCode + String(repeating: "0", count: 6 - serialText.count) + serialText
        value = body + String(Self.checkCharacter(for: Array(body.utf8)))
    }

    /// Reads a number as a person types it: spaces and hyphens ignored, full-width digits and
    /// a lower-case x accepted. Nil when it is not a well-formed number with a matching check.
    public init?(parsing text: String) {
        var digits: [UInt8] = []
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x30...0x39: digits.append(UInt8(scalar.value))
            case 0xFF10...0xFF19: digits.append(UInt8(scalar.value - 0xFF10 + 0x30))
            case 0x58, 0x78, 0xFF38, 0xFF58: digits.append(0x58)
            case 0x20, 0x2D, 0x3000, 0xFF0D: continue
            default: return nil
            }
            if digits.count > 17 { return nil }
        }
        guard digits.count == 17, digits[0..<16].allSatisfy({ $0 != 0x58 }),
              Self.checkCharacter(for: Array(digits[0..<16])) == Character(UnicodeScalar(digits[16])),
              Int(String(decoding: digits[10..<16], as: UTF8.self))! >= 1
        else { return nil }
        value = String(decoding: digits, as: UTF8.self)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let number = CertificateNumber(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "证书编号无效：\(text)"))
        }
        self = number
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    public static func < (lhs: CertificateNumber, rhs: CertificateNumber) -> Bool { lhs.value < rhs.value }

    /// ISO 7064 MOD 11-2: weights 2^(n-i) mod 11, check = (12 - sum mod 11) mod 11, 10 written X.
    static func checkCharacter(for body: [UInt8]) -> Character {
        var sum = 0
        var weight = 1
        for digit in body.reversed() {
            weight = weight * 2 % 11
            sum += Int(digit - 48) * weight
        }
        let check = (12 - sum % 11) % 11
        return check == 10 ? "X" : Character(String(check))
    }
}
