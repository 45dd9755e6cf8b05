/// What an office typed into the teacher search box: a whole resident ID, the last four digits
/// of one (what a masked ID shows, and what offices often have on a paper form), or a name.
///
/// Only those two ID forms: a search by any longer ending would let someone who sees the masked
/// ID (first 6 and last 4) recover the hidden birth date digit by digit.
public enum TeacherSearchTerm: Sendable, Equatable {
    case residentID(String)
    case idSuffix(String)
    case name(String)

    /// The trailing digits a masked ID shows, and the only ending a search accepts.
    public static let suffixLength = 4

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
            } else if upper.utf8.count == Self.suffixLength {
                self = .idSuffix(upper)
            } else {
                return nil
            }
        } else {
            self = .name(cleaned)
        }
    }
}
