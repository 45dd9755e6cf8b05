import PeixunCore
import SQLKit

/// The orders the registry can be listed in: a few columns, named in the query string
/// (`sort=school&order=desc`) and nothing else, each ending on the teacher's id so that a page
/// never shows a row twice or misses one. Names compare by code point on both databases
/// (PostgreSQL's locale collation would put them in another order than SQLite).
extension TeacherSearch {
    enum Sort: String, Sendable, CaseIterable {
        case name, county, school, stage, status

        var label: String {
            switch self {
            case .name: "姓名"
            case .county: "县(市、区)"
            case .school: "所在学校"
            case .stage: "学段"
            case .status: "培训状态"
            }
        }

        /// The sort key and a direction, from the query string; an unknown one is said back.
        static func read(_ sort: String?, order: String?) throws -> (Sort?, descending: Bool) {
            var descending = false
            if let order, !order.isEmpty {
                guard ["asc", "desc"].contains(order) else {
                    throw AppError.badRequest(code: "order.invalid", "排序方向参数无效，应为 asc（升序）或 desc（降序）")
                }
                descending = order == "desc"
            }
            guard let sort, !sort.isEmpty else { return (nil, descending) }
            guard let found = Sort(rawValue: sort) ?? allCases.first(where: { $0.label == sort }) else {
                throw AppError.badRequest(code: "sort.invalid", "排序参数无效，应为 " + allCases.map { "\($0.rawValue)（\($0.label)）" }.joined(separator: "、"))
            }
            return (found, descending)
        }

        /// The ORDER BY over `teachers t JOIN schools s`: this column first (in `direction`), then
        /// name and id ascending.
        func orderBy(descending: Bool, dialect: String) -> SQLQueryString {
            func text(_ column: String) -> SQLQueryString {
                dialect == "postgresql" ? "\(unsafeRaw: column) COLLATE \"C\"" : "\(unsafeRaw: column)"
            }
            let direction: SQLQueryString = descending ? " DESC" : ""
            let stages = Stage.allCases.enumerated().map { "WHEN \(literal: $0.element.rawValue) THEN \(literal: $0.offset)" as SQLQueryString }
            let first: SQLQueryString = switch self {
            case .name: text("t.name")
            case .county: "t.county_code"
            case .school: text("s.name")
            case .stage: "CASE t.stage \(stages.joined(separator: " ")) ELSE \(literal: stages.count) END"
            // In the order of `Status`: 未参训, 已参训, 不合格.
            case .status: "CASE WHEN t.first_passed_year IS NOT NULL THEN 1 WHEN \(TeacherSearch.failedRecord) THEN 2 ELSE 0 END"
            }
            return self == .name ? "\(first)\(direction), t.id" : "\(first)\(direction), \(text("t.name")), t.id"
        }
    }

    /// What the query string carries for the current order (nothing for the registry's own).
    var sortItems: [(String, String)] {
        guard let sort else { return [] }
        return [("sort", sort.rawValue)] + (descending ? [("order", "desc")] : [])
    }
}
