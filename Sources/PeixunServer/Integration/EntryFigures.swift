import PeixunCore
import SQLKit

/// The figures every integration view counts over `integration_entries` — 分配人数 (allocated),
/// 核实人数 (verified), rejected, 新增 (added) and open conflicts — defined once, with the
/// statuses taken from `EntryStatus`, for the worklists, the overviews, the dashboards and the
/// Appendix 2 summary alike.
enum EntryFigures {
    enum Column: String, CaseIterable {
        case allocated, verified, rejected, added, conflicts
    }

    /// `SUM(CASE …)` columns named as `Column`; `table` is the entries' alias, if the query has one.
    static func columns(_ wanted: [Column] = Column.allCases, table: String? = nil) -> SQLQueryString {
        let prefix = table.map { $0 + "." } ?? ""
        func count(_ condition: SQLQueryString, as name: Column) -> SQLQueryString {
            "CAST(COALESCE(SUM(CASE WHEN \(condition) THEN 1 ELSE 0 END), 0) AS BIGINT) AS \(ident: name.rawValue)"
        }
        return wanted.map { column -> SQLQueryString in
            switch column {
            case .allocated: count("\(unsafeRaw: prefix)added = \(bind: false)", as: column)
            case .verified: count("\(unsafeRaw: prefix)status = \(literal: EntryStatus.verified.rawValue)", as: column)
            case .rejected: count("\(unsafeRaw: prefix)status = \(literal: EntryStatus.rejected.rawValue)", as: column)
            case .added: count("\(unsafeRaw: prefix)added = \(bind: true)", as: column)
            case .conflicts:
                count("\(unsafeRaw: prefix)status = \(literal: EntryStatus.pending.rawValue) AND \(unsafeRaw: prefix)conflict IS NOT NULL", as: column)
            }
        }.joined(separator: ", ")
    }
}
