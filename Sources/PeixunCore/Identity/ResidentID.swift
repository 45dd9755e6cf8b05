import Foundation

/// A mainland resident identity number (公民身份号码) as defined by GB 11643-1999.
///
/// Only valid numbers can be constructed: `parse` normalises what is safe to normalise
/// (full-width digits, spaces, lower-case x, 15-digit legacy numbers) and refuses the rest
/// with a `ResidentIDError` that tells an office clerk what is wrong.
public struct ResidentID: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The canonical 18-character form, upper-case `X` as check character.
    public let value: String

    public var description: String { value }

    /// The six-digit administrative division code of the place of first registration.
    public var areaCode: String { String(value.prefix(6)) }

    public var birthDate: CivilDate {
        let digits = Array(value.utf8)
        return CivilDate(
            year: Self.number(digits[6..<10]),
            month: Self.number(digits[10..<12]),
            day: Self.number(digits[12..<14]))!
    }

    /// The 17th character is odd for men and even for women.
    public var sex: Sex {
        let digit = Int(Array(value.utf8)[16] - 48)
        return digit % 2 == 1 ? .male : .female
    }

    /// `510104199001011234` → `510104********234X`-style: the area code and the last four
    /// characters stay, so that a clerk can still tell two people apart.
    public var masked: String {
        String(value.prefix(6)) + String(repeating: "*", count: 8) + String(value.suffix(4))
    }

    init(validated: String) { self.value = validated }

    /// Builds an ID from the first 17 characters, computing the check character.
    /// Used by generators; the body must already be 17 ASCII digits.
    public static func completing(body: String) -> ResidentID {
        precondition(body.utf8.count == 17 && body.utf8.allSatisfy { $0 >= 48 && $0 <= 57 })
        return ResidentID(validated: body + String(checkCharacter(forBody: Array(body.utf8))))
    }

    public init(from decoder: Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        self = try Self.parse(raw).id
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    /// ISO 7064 MOD 11-2 over the first 17 digits.
    static func checkCharacter(forBody body: [UInt8]) -> Character {
        var sum = 0
        for index in 0..<17 { sum += Int(body[index] - 48) * weights[index] }
        return checkCharacters[sum % 11]
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int {
        digits.reduce(0) { $0 * 10 + Int($1 - 48) }
    }
}

public enum Sex: String, Sendable, Codable, CaseIterable {
    case male, female

    public var label: String { self == .male ? "男" : "女" }

    public init?(label: String) {
        switch label.trimmingCharacters(in: .whitespaces) {
        case "男", "男性", "M", "m": self = .male
        case "女", "女性", "F", "f": self = .female
        default: return nil
        }
    }
}

extension ResidentID {
    /// The 17-digit body as a number: the check character follows from it, so this identifies
    /// the ID in 8 bytes (a province's roster is kept in memory during an import).
    public var packed: Int64 {
        var body: Int64 = 0
        for byte in value.utf8.prefix(17) { body = body * 10 + Int64(byte - 48) }
        return body
    }

    public init(packed: Int64) {
        precondition(packed >= 0 && packed < 100_000_000_000_000_000)
        var digits = [UInt8](repeating: 48, count: 17)
        var rest = packed
        for index in stride(from: 16, through: 0, by: -1) {
            digits[index] = UInt8(48 + rest % 10)
            rest /= 10
        }
        self = Self.completing(body: String(decoding: digits, as: UTF8.self))
    }
}
