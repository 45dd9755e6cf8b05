import PeixunCore

/// Masks every resident ID inside free text (audit summaries, usernames of teachers), so
/// that a page or export never shows a full ID except where the rules allow it.
enum IDMasking {
    static func maskIDs(in text: String) -> String {
        let characters = Array(text)
        guard characters.count >= 18 else { return text }
        var result = ""
        var index = 0
        while index < characters.count {
            if index + 18 <= characters.count, isID(characters[index..<index + 18]),
               index == 0 || !characters[index - 1].isASCIIDigit,
               index + 18 == characters.count || !characters[index + 18].isASCIIDigit {
                let id = String(characters[index..<index + 18])
                result += ResidentID(canonical: id)?.masked ?? id
                index += 18
            } else {
                result.append(characters[index])
                index += 1
            }
        }
        return result
    }

    private static func isID(_ slice: ArraySlice<Character>) -> Bool {
        slice.dropLast().allSatisfy(\.isASCIIDigit) && (slice.last!.isASCIIDigit || slice.last == "X")
    }
}
