/// A cooperation project the province adds beside the notice's four: what the form or the API
/// sent, checked field by field so that every mistake is named at once.
public struct CooperationProjectDraft: Sendable, Equatable {
    public var name: String
    public var organiser: String
    public var startYear: Int?
    public var endYear: Int?
    /// Counties or cities it ran in, as typed: names, short or historic names, or codes,
    /// separated by 、 , ， ; ； or spaces. Empty: the whole province.
    public var pilotRegions: String

    public init(name: String, organiser: String, startYear: Int?, endYear: Int?, pilotRegions: String) {
        self.name = name
        self.organiser = organiser
        self.startYear = startYear
        self.endYear = endYear
        self.pilotRegions = pilotRegions
    }

    public struct Valid: Sendable, Equatable {
        public let name: String
        public let organiser: String
        public let startYear: Int
        public let endYear: Int
        public let pilotRegionCodes: [String]
    }

    public static let years = 2000...2099
    public static let maximumNameLength = 80

    public enum Field: String, Sendable {
        case name = "项目名称", organiser = "组织单位", startYear = "起始年度", endYear = "结束年度", pilotRegions = "试点地区"
    }

    /// - Parameter takenNames: names of the projects that already exist (names are unique).
    public func validate(regions: RegionDirectory, takenNames: Set<String>) throws(InputRefusal) -> Valid {
        var issues: [RowIssue] = []
        func refuse(_ field: Field, _ code: String, _ message: String) {
            issues.append(RowIssue(row: 1, column: field.rawValue, code: code, message: message))
        }
        let name = TeacherRowValidator.clean(self.name)
        let organiser = TeacherRowValidator.clean(self.organiser)
        if name.isEmpty {
            refuse(.name, "project.name_missing", "请填写项目名称")
        } else if name.count > Self.maximumNameLength {
            refuse(.name, "project.name_too_long", "项目名称不能超过 \(Self.maximumNameLength) 个字（现为 \(name.count) 个）")
        } else if takenNames.contains(name) {
            refuse(.name, "project.name_taken", "已有名为“\(name)”的项目")
        }
        if organiser.isEmpty { refuse(.organiser, "project.organiser_missing", "请填写组织单位") }
        for (field, year) in [(Field.startYear, startYear), (.endYear, endYear)] {
            guard let year else { refuse(field, "project.year_missing", "请填写\(field.rawValue)"); continue }
            if !Self.years.contains(year) { refuse(field, "project.year_invalid", "\(year) 不是有效年度（\(Self.years.lowerBound)–\(Self.years.upperBound)）") }
        }
        if let start = startYear, let end = endYear, start > end {
            refuse(.endYear, "project.years_order", "结束年度 \(end) 早于起始年度 \(start)")
        }

        var codes: [String] = []
        let separators = Set<Character>("、,，;； \t\n")
        for text in pilotRegions.split(whereSeparator: { separators.contains($0) }).map(String.init) {
            let match = regions.resolve(text)
            if let region = match.region {
                if region.level == .province {
                    refuse(.pilotRegions, "region.not_pilot", "试点地区应为市(州)或县(市、区)，“\(text)”是全省；不限地区请留空")
                } else if !codes.contains(region.code) {
                    codes.append(region.code)
                }
            } else if let message = regions.unresolvedMessage(match, typed: text, kind: "地区") {
                refuse(.pilotRegions, "region.unknown", message)
            }
        }
        guard issues.isEmpty, let startYear, let endYear else { throw InputRefusal(issues: issues) }
        return Valid(name: name, organiser: organiser, startYear: startYear, endYear: endYear, pilotRegionCodes: codes)
    }
}
