/// What an office typed into the teacher search box: a whole resident ID, the last digits of
/// one (offices often have only the tail of an ID on a paper form), or a name.
public enum TeacherSearchTerm: Sendable, Equatable {
    case residentID(String)
    case idSuffix(String)
    case name(String)

    /// The fewest trailing digits worth searching: fewer would match half a county.
    public static let minimumSuffixLength = 4

    public init?(_ text: String, today: CivilDate = .today()) {
        let cleaned = TeacherRowValidator.halfWidth(TeacherRowValidator.clean(text))
        guard !cleaned.isEmpty else { return nil }
        let upper = cleaned.uppercased()
        let digitsOrX = upper.utf8.enumerated().allSatisfy { offset, byte in
            (byte >= 48 && byte <= 57) || (byte == UInt8(ascii: "X") && offset == upper.utf8.count - 1)
        }
        if digitsOrX {
            if let parsed = try? ResidentID.parse(upper, today: today) {
                self = .residentID(parsed.id.value)
            } else if upper.utf8.count >= Self.minimumSuffixLength {
                self = .idSuffix(upper)
            } else {
                return nil
            }
        } else {
            self = .name(cleaned)
        }
    }
}
