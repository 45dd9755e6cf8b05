/// A report table as the province approved it, cell by cell: one row per region (a city's
/// counties and its 小计) and named columns. Comparing it with the table as it reads today
/// names each cell that changed (region row, column, old → new), each row that appeared or went.
public struct FrozenGrid: Sendable, Equatable, Codable {
    public struct Row: Sendable, Equatable, Codable {
        /// The region's code; the total row's is its label (小计, 合计).
        public let key: String
        public let name: String
        /// One value per column, as printed.
        public let cells: [String]

        public init(key: String, name: String, cells: [String]) {
            self.key = key
            self.name = name
            self.cells = cells
        }
    }

    public struct Change: Sendable, Equatable, Codable {
        public let key: String
        public let name: String
        public let column: String
        /// nil where the row did not exist.
        public let before: String?
        public let after: String?

        public init(key: String, name: String, column: String, before: String?, after: String?) {
            self.key = key
            self.name = name
            self.column = column
            self.before = before
            self.after = after
        }
    }

    public let columns: [String]
    public let rows: [Row]

    public init(columns: [String], rows: [Row]) {
        self.columns = columns
        self.rows = rows
    }

    /// What changed from `self` (approved) to `live`, in the approved rows' order and then the
    /// rows only `live` has; column by column. Columns are matched by name, so a column only
    /// one side has shows as changed from or to nothing.
    public func changes(to live: FrozenGrid) -> [Change] {
        let liveRows = Dictionary(live.rows.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let approvedKeys = Set(rows.map(\.key))
        let columnNames = columns + live.columns.filter { !columns.contains($0) }
        func value(_ row: Row?, _ column: String, in grid: FrozenGrid) -> String? {
            guard let row, let index = grid.columns.firstIndex(of: column), index < row.cells.count else { return nil }
            return row.cells[index]
        }
        var result: [Change] = []
        for row in rows {
            let now = liveRows[row.key]
            for column in columnNames {
                let before = value(row, column, in: self), after = value(now, column, in: live)
                if before != after { result.append(Change(key: row.key, name: row.name, column: column, before: before, after: after)) }
            }
        }
        for row in live.rows where !approvedKeys.contains(row.key) {
            for column in columnNames {
                if let after = value(row, column, in: live) {
                    result.append(Change(key: row.key, name: row.name, column: column, before: nil, after: after))
                }
            }
        }
        return result
    }
}
