/// The rule for a person's name as the registry keeps it: Chinese characters (rare ones
/// included, e.g. 㛃, 䶮, 𠇔, and 〇), the middle dot of minority names (买买提·艾力), and Latin
/// letters for foreign teachers ("Anna Smith", "O'Neil", "Jean-Luc"). Digits, formulas
/// (`=…`, `@SUM(1+1)`) and other symbols are refused: they are typing or pasting mistakes, or
/// an attempt to plant a formula in the workbooks the offices download.
public enum PersonName {
    public static let maximumLength = 50

    /// Ways a middle dot gets typed in Chinese input methods and Word, stored as U+00B7.
    static let middleDots: Set<Unicode.Scalar> = ["\u{00B7}", "\u{2022}", "\u{2027}", "\u{30FB}", "\u{FF65}", "\u{2219}", "\u{22C5}", "\u{FF0E}", "\u{0387}"]

    /// The cleaned name with its middle dots unified, or the reason it is not a name.
    public static func check(_ text: String) -> Result<String, Refusal> {
        let cleaned = TextCleaning.clean(text)
        if cleaned.isEmpty { return .failure(Refusal(code: "name.missing", message: "教师姓名为空")) }
        if cleaned.count > maximumLength {
            return .failure(Refusal(code: "name.invalid", message: "教师姓名超过\(maximumLength)个字"))
        }
        var scalars = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for scalar in cleaned.unicodeScalars {
            let accepted: Unicode.Scalar?
            if scalar.properties.isIdeographic || isLatinLetter(scalar) {
                accepted = scalar
            } else if middleDots.contains(scalar), let previous, previous != "\u{00B7}", previous != " " {
                accepted = "\u{00B7}"
            } else if scalar == " " || scalar == "-" || scalar == "'" || scalar == "." || scalar == "\u{2019}",
                      let previous, isLatinLetter(previous) {
                accepted = scalar == "\u{2019}" ? "'" : scalar
            } else {
                accepted = nil
            }
            guard let accepted else { return .failure(refusal(cleaned, offending: scalar)) }
            scalars.append(accepted)
            previous = accepted
        }
        if let last = scalars.last, last == "\u{00B7}" || last == "-" || last == "'" {
            return .failure(refusal(cleaned, offending: last))
        }
        return .success(String(scalars))
    }

    public struct Refusal: Error, Sendable, Equatable {
        public let code: String
        public let message: String
    }

    /// Basic Latin and Latin-1/Extended letters (é, ü, ñ, ø…), not the symbols among them (×, ÷).
    public static func isLatinLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A: true
        case 0xC0...0x24F: scalar.value != 0xD7 && scalar.value != 0xF7
        default: false
        }
    }

    private static func refusal(_ name: String, offending: Unicode.Scalar) -> Refusal {
        let shown = String(name.prefix(20))
        let character = offending.properties.generalCategory == .spaceSeparator ? "空格" : "“\(offending)”"
        return Refusal(code: "name.invalid",
                       message: "教师姓名“\(shown)”含有不能用于姓名的字符\(character)：姓名只能由汉字、少数民族姓名的间隔号（·）或外籍教师的英文字母组成")
    }
}

extension PersonName {
    /// The name as a cell of a list: the checked name, or the issue to report at that cell.
    public static func check(_ text: String, row: Int, column: String = "教师姓名") -> (name: String?, issue: RowIssue?) {
        switch check(text) {
        case .success(let name): (name, nil)
        case .failure(let refusal): (nil, RowIssue(row: row, column: column, code: refusal.code, message: refusal.message))
        }
    }
}
