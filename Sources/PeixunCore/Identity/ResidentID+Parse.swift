import Foundation

extension ResidentID {
    /// What `parse` changed to reach the canonical form; reported back to the user.
    public enum Normalisation: String, Sendable, Codable, Equatable {
        case removedSpaces
        case fullWidthCharacters
        case lowerCaseX
        case upgradedFrom15Digits

        public var message: String {
            switch self {
            case .removedSpaces: "已删除身份证号中的空格"
            case .fullWidthCharacters: "已将身份证号中的全角字符转为半角"
            case .lowerCaseX: "已将末位小写 x 改为大写 X"
            case .upgradedFrom15Digits: "已将15位旧身份证号升级为18位"
            }
        }
    }

    public struct Parsed: Sendable, Equatable {
        public let id: ResidentID
        public let normalisations: [Normalisation]
    }

    /// Parses what a person or a spreadsheet typed. `today` bounds the birth date.
    public static func parse(_ raw: String, today: CivilDate = .today()) throws(ResidentIDError) -> Parsed {
        // Fast path for what almost every cell holds: 18 canonical characters.
        if raw.utf8.count == 18 {
            var bytes = (0..<18).map { _ in UInt8(0) }
            var canonical = true
            for (index, byte) in raw.utf8.enumerated() {
                bytes[index] = byte
                if !((byte >= 48 && byte <= 57) || (index == 17 && byte == UInt8(ascii: "X"))) { canonical = false }
            }
            if canonical {
                let body = Array(bytes[0..<17])
                try validateBody(body, today: today)
                let expected = checkCharacter(forBody: body)
                guard Character(UnicodeScalar(bytes[17])) == expected else {
                    if raw.hasSuffix("000") { throw .excelNumber(shown: raw) }
                    throw .checksum(expected: expected)
                }
                return Parsed(id: ResidentID(validated: raw), normalisations: [])
            }
        }
        var normalisations: [Normalisation] = []
        var text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if TextCleaning.clean(text).isEmpty { throw .missing }

        if let mangled = excelNumberForm(text) {
            throw .excelNumber(shown: mangled)
        }

        var cleaned = ""
        var sawSpace = false
        var sawFullWidth = false
        for scalar in text.unicodeScalars {
            if TextCleaning.isInvisible(scalar) { continue }
            switch scalar.value {
            case _ where TextCleaning.isSpace(scalar):
                sawSpace = true
            case 0xFF10...0xFF19:
                sawFullWidth = true
                cleaned.unicodeScalars.append(Unicode.Scalar(scalar.value - 0xFF10 + 0x30)!)
            case 0xFF38, 0xFF58:
                sawFullWidth = true
                cleaned.unicodeScalars.append(scalar.value == 0xFF38 ? "X" : "x")
            default:
                cleaned.unicodeScalars.append(scalar)
            }
        }
        if sawSpace { normalisations.append(.removedSpaces) }
        if sawFullWidth { normalisations.append(.fullWidthCharacters) }
        text = cleaned
        if text.hasSuffix("x") {
            text = String(text.dropLast()) + "X"
            normalisations.append(.lowerCaseX)
        }

        let bytes = Array(text.utf8)
        let isDigit: (UInt8) -> Bool = { $0 >= 48 && $0 <= 57 }
        switch bytes.count {
        case 15:
            guard bytes.allSatisfy(isDigit) else { throw .charset }
            let body = Array(bytes[0..<6]) + Array("19".utf8) + Array(bytes[6..<15])
            try validateBody(body, today: today)
            normalisations.append(.upgradedFrom15Digits)
            return Parsed(
                id: ResidentID.completing(body: String(decoding: body, as: UTF8.self)),
                normalisations: normalisations)
        case 18:
            guard bytes[0..<17].allSatisfy(isDigit), isDigit(bytes[17]) || bytes[17] == UInt8(ascii: "X")
            else { throw .charset }
            let body = Array(bytes[0..<17])
            try validateBody(body, today: today)
            let expected = checkCharacter(forBody: body)
            guard Character(UnicodeScalar(bytes[17])) == expected else {
                // Excel keeps 15 significant digits: an 18-digit number loses its last three.
                if text.hasSuffix("000") { throw .excelNumber(shown: text) }
                throw .checksum(expected: expected)
            }
            return Parsed(id: ResidentID(validated: text), normalisations: normalisations)
        default:
            if !bytes.allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "X") }) { throw .charset }
            throw .length(bytes.count)
        }
    }

    /// Strict form for values that must already be canonical (URLs, API keys).
    public init?(canonical: String) {
        guard canonical.utf8.count == 18, let parsed = try? Self.parse(canonical),
              parsed.normalisations.isEmpty else { return nil }
        self = parsed.id
    }

    private static func validateBody(_ body: [UInt8], today: CivilDate) throws(ResidentIDError) {
        let province = Int(body[0] - 48) * 10 + Int(body[1] - 48)
        guard ProvinceCodes.all.contains(province) else {
            throw .regionPrefix(String(decoding: body[0..<6], as: UTF8.self))
        }
        let year = body[6..<10].reduce(0) { $0 * 10 + Int($1 - 48) }
        let month = body[10..<12].reduce(0) { $0 * 10 + Int($1 - 48) }
        let day = body[12..<14].reduce(0) { $0 * 10 + Int($1 - 48) }
        guard let date = CivilDate(year: year, month: month, day: day), year >= 1900 else {
            throw .birthDate(String(decoding: body[6..<14], as: UTF8.self))
        }
        guard date <= today else {
            throw .birthDateInFuture(String(decoding: body[6..<14], as: UTF8.self))
        }
    }

    /// Recognises how Excel shows a long number it has swallowed: `5.10104E+17`,
    /// `5.10104199001011E+17`, or a plain number with a decimal tail `510104199001011000.0`.
    static func excelNumberForm(_ text: String) -> String? {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: ".") }) else { return nil }
        let upper = text.uppercased()
        if upper.contains("E+"), Double(upper) != nil { return text }
        if upper.hasSuffix(".0"), upper.dropLast(2).allSatisfy(\.isASCIIDigit), upper.count >= 17 { return text }
        return nil
    }
}

extension Character {
    public var isASCIIDigit: Bool { isASCII && isNumber }
}

/// The two-digit province codes of GB/T 2260 (and 71/81/82 used on mainland documents).
enum ProvinceCodes {
    static let all: Set<Int> = [
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
        50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
    ]
}
