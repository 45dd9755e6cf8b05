/// The clean-up every text that a file or a form brings in gets, before it is checked or
/// stored: what cannot be seen is removed (a byte-order mark pasted from another program,
/// zero-width characters, direction marks, control characters), and so are the spaces —
/// outer ones always, inner ones between Chinese characters ("李 娜" is 李娜); between Latin
/// letters or digits a run of spaces stays as one ("Anna Smith", "Grade 3").
public enum TextCleaning {
    public static func clean(_ text: String) -> String {
        // Most cells hold nothing to remove: no need to rebuild them. Every character removed
        // here starts with one of these bytes in UTF-8.
        if !text.containsUTF8Byte(where: { $0 <= 0x20 || $0 == 0x7F || $0 == 0xC2 || $0 == 0xE1 || $0 == 0xE2 || $0 == 0xE3 || $0 == 0xEF }) {
            return text
        }
        var result = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if isInvisible(scalar) { continue }
            if isSpace(scalar) {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace, let last = result.last, keepsSpace(last), keepsSpace(scalar) { result.append(" ") }
            pendingSpace = false
            result.append(scalar)
        }
        return String(result)
    }

    /// Characters with no glyph of their own: controls (C0, DEL, C1) and format characters
    /// (U+FEFF, U+200B–U+200F, U+202A–U+202E, U+2060–U+2064, U+00AD…).
    public static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        if isSpace(scalar) { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// Spaces of every width (U+0020, tab, line breaks, U+00A0, U+2000–U+200A, U+3000…).
    public static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace
    }

    private static func keepsSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) : PersonName.isLatinLetter(scalar)
    }
}
