import PeixunCore
import SQLKit
import Vapor

/// The one rule for which year a page shows and which years it offers: the programme's current
/// reporting year (the notice's Appendix 1 is the 2016 report) unless the user picks another,
/// and only years in which teachers first passed a training (read from the rollup, not the two
/// million records), plus the reporting year and the year being shown.
enum ReportingYears {
    static var current: Int { Appendix1.reportYear }

    static func withData(on sql: any SQLDatabase) async throws -> [Int] {
        struct Row: Decodable { let year: Int }
        return try await sql.select().distinct().column("first_passed_year", as: "year").from(CreateProgressRollups.schema)
            .where("first_passed_year", .greaterThan, 0).where("teachers", .greaterThan, 0)
            .all(decoding: Row.self).map(\.year)
    }

    /// The choices of a year picker, newest first.
    static func choices(on sql: any SQLDatabase, showing year: Int) async throws -> [Int] {
        Set(try await withData(on: sql) + [current, year]).sorted(by: >)
    }
}
