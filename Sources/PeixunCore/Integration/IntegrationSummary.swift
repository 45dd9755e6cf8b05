/// 整合培训项目教师参训情况汇总表: per project, for each area the allocated (分配人数) and verified
/// (核实人数) teachers of each year 2014–2017, and a subtotal row that is the sum of the rows.
public struct IntegrationSummary: Sendable, Equatable {
    public static let years = Array(2014...2017)

    public struct Cell: Sendable, Equatable, Codable {
        public var allocated = 0
        public var verified = 0

        public init(allocated: Int = 0, verified: Int = 0) {
            self.allocated = allocated
            self.verified = verified
        }
    }

    public struct Row: Sendable, Equatable {
        public let code: String?
        public let name: String
        /// One cell per year of `IntegrationSummary.years`.
        public let cells: [Cell]
    }

    public let rows: [Row]
    public let total: Row

    /// - Parameters:
    ///   - areas: the rows in order (a city's counties, or the province's cities).
    ///   - counts: figures by area code and year; areas without figures show zeros.
    ///   - totalLabel: 小计 for a city, 合计 for the province.
    public init(areas: [(code: String, name: String)], counts: [String: [Int: Cell]], totalLabel: String) {
        let rows = areas.map { area in
            Row(code: area.code, name: area.name, cells: Self.years.map { counts[area.code]?[$0] ?? Cell() })
        }
        self.rows = rows
        total = Row(code: nil, name: totalLabel, cells: Self.years.indices.map { index in
            rows.reduce(into: Cell()) { sum, row in
                sum.allocated += row.cells[index].allocated
                sum.verified += row.cells[index].verified
            }
        })
    }
}
