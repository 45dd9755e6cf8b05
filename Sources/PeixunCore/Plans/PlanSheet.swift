/// A filled-in Appendix 3 read back (a city that fills the sheet offline uploads it): the
/// header is found by its labels, not by position; each county row gives the county's name,
/// its two numbers and its remarks; reading stops at 小计 / 合计 / 备注.
public enum PlanSheet {
    public struct Line: Sendable, Equatable {
        /// The row in the sheet, from 1.
        public let row: Int
        public let county: String
        public let entry: PlanEntry

        public init(row: Int, county: String, entry: PlanEntry) {
            self.row = row
            self.county = county
            self.entry = entry
        }
    }

    public struct Issue: Sendable, Equatable, Codable {
        public let row: Int
        public let message: String

        public init(row: Int, message: String) {
            self.row = row
            self.message = message
        }
    }

    public struct Parsed: Sendable, Equatable {
        public var lines: [Line] = []
        public var issues: [Issue] = []
    }

    /// The export writes trainings outside the provincial platform into the remarks so.
    public static let offPlatform = "市县级培训未纳入省级平台"

    public static func parse(_ rows: [[String]]) -> Parsed {
        var parsed = Parsed()
        func clean(_ text: String) -> String { TextCleaning.clean(text) }
        func column(_ label: String, in header: [String]) -> Int? { header.firstIndex { clean($0) == label } }
        guard let detailIndex = rows.firstIndex(where: { row in row.contains { clean($0) == "省级及以上项目需求数" } }) else {
            parsed.issues.append(Issue(row: 1, message: "找不到“省级及以上项目需求数”列：请使用附件3 表样（可先下载本市(州)的 Excel 再填写）"))
            return parsed
        }
        let detail = rows[detailIndex]
        let top = detailIndex > 0 ? rows[detailIndex - 1] : []
        guard let countyColumn = column("县(市、区)", in: detail), let demandColumn = column("省级及以上项目需求数", in: detail),
              let planColumn = column("市县级培训计划数", in: detail) else {
            parsed.issues.append(Issue(row: detailIndex + 1, message: "表头缺少“县(市、区)”或“市县级培训计划数”列"))
            return parsed
        }
        let remarksColumn = column("备注", in: top) ?? column("备注", in: detail)
        for index in rows.indices where index > detailIndex {
            let row = rows[index]
            func cell(_ column: Int?) -> String { column.flatMap { $0 < row.count ? clean(row[$0]) : nil } ?? "" }
            let first = cell(0)
            if ["小计", "合计"].contains(first) || first.hasPrefix("备注") { break }
            let county = cell(countyColumn)
            if county.isEmpty { continue }
            func number(_ column: Int, _ label: String) -> Int? {
                let text = cell(column).replacingOccurrences(of: ",", with: "")
                guard !text.isEmpty else { return nil }
                guard let value = Int(text) else {
                    parsed.issues.append(Issue(row: index + 1, message: "\(county)：\(label)应为整数（填写了“\(text.prefix(20))”）"))
                    return nil
                }
                return value
            }
            var remarks = cell(remarksColumn)
            var platform = true
            if remarks.hasPrefix(offPlatform) {
                platform = false
                remarks = String(remarks.dropFirst(offPlatform.count).drop { $0 == "：" || $0 == ":" })
            }
            let raw = PlanEntry(provincialDemand: number(demandColumn, "省级及以上项目需求数"), localPlan: number(planColumn, "市县级培训计划数"),
                                usesProvincialPlatform: platform, remarks: remarks)
            do {
                parsed.lines.append(Line(row: index + 1, county: county, entry: try raw.validated()))
            } catch {
                parsed.issues.append(Issue(row: index + 1, message: "\(county)：\(error.message)"))
            }
        }
        if parsed.lines.isEmpty && parsed.issues.isEmpty {
            parsed.issues.append(Issue(row: detailIndex + 2, message: "表中没有县(市、区)的行"))
        }
        return parsed
    }
}
