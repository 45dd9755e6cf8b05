/// A change to the division codes since 2016 (撤县设区, 撤县设市, 划转): old names and codes
/// still appear in spreadsheets and in older resident IDs.
public struct RegionChange: Hashable, Sendable, Codable {
    public let oldCode: String
    public let oldName: String
    public let newCode: String
    public let newName: String
    public let effectiveYear: Int
    public let kind: String

    public init(oldCode: String, oldName: String, newCode: String, newName: String, effectiveYear: Int, kind: String) {
        self.oldCode = oldCode
        self.oldName = oldName
        self.newCode = newCode
        self.newName = newName
        self.effectiveYear = effectiveYear
        self.kind = kind
    }
}
