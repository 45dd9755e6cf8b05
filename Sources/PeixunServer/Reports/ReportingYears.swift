import PeixunCore
import SQLKit
import Vapor

/// The one rule for which year a page shows and which years it offers: the programme's current
/// reporting year (the notice's Appendix 1 is the 2016 report) unless the user picks another,
/// and only years with data — in which teachers first passed a training (read from the
/// rollup, not the two million records) or a cooperation project's list was distributed — or
/// with an open reporting task (the plan and contacts year of the notice, a deadline the
/// province set), plus the year being shown. Every year picker offers these and no others; the
/// calendar year plays no part.
enum ReportingYears {
    static var current: Int { Appendix1.reportYear }

    static func withData(on sql: any SQLDatabase) async throws -> [Int] {
        struct Row: Decodable { let year: Int }
        // The county rollup (a row per county and year, ~900 for the province) rather than the school
        // rollup (~100,000): every page with a year bar asks, and the scan was most of their time.
        return try await sql.select().distinct().column("first_passed_year", as: "year").from(CreateCountyProgressRollups.schema)
            .where("first_passed_year", .greaterThan, 0).where("teachers", .greaterThan, 0)
            .all(decoding: Row.self).map(\.year)
    }

    /// Years with a reporting task still to do: the notice's plan and contacts year, each year
    /// the province set a deadline for, and each year with a cooperation-project list.
    static func withOpenTask(on sql: any SQLDatabase) async throws -> [Int] {
        struct Row: Decodable { let year: Int }
        let deadlines = try await sql.select().distinct().column("year").from(TaskDeadlineModel.schema).all(decoding: Row.self)
        let batches = try await sql.select().distinct().column("year").from(IntegrationBatchModel.schema).all(decoding: Row.self)
        return [ReportingTask.defaultYear] + (deadlines + batches).map(\.year)
    }

    /// The choices of a year picker, newest first.
    static func choices(on sql: any SQLDatabase, showing year: Int? = nil) async throws -> [Int] {
        Set(try await withData(on: sql) + withOpenTask(on: sql) + [current] + [year].compactMap { $0 }).sorted(by: >)
    }

    /// The school years (学年, by their first calendar year) a statistics upload may be for: the
    /// one each reporting year counts against (the 2016 report uses 2015—2016), and those stored.
    static func schoolYearChoices(on sql: any SQLDatabase, showing year: Int? = nil) async throws -> [Int] {
        struct Row: Decodable { let school_year: Int }
        let stored = try await sql.select().distinct().column("school_year").from(OfficialCountModel.schema).all(decoding: Row.self)
        return Set(try await choices(on: sql).map { $0 - 1 } + stored.map(\.school_year) + [year].compactMap { $0 }).sorted(by: >)
    }

    /// The school year the current reporting year counts against.
    static var currentSchoolYear: Int { current - 1 }
}

/// One tab of a yearly page's year bar (`<nav class="tabs toolbar-years">`): Appendix 1, its
/// approval, the dashboard. Built in one place so that every bar offers the same years.
struct YearTab: Encodable, Sendable {
    let year: Int
    let url: String
    let selected: Bool

    /// The tabs for `choices` (`ReportingYears.choices`), oldest first, `year` marked.
    static func bar(_ choices: [Int], showing year: Int, url: (Int) -> SiteURL) -> [YearTab] {
        choices.sorted().map { YearTab(year: $0, url: url($0).path, selected: $0 == year) }
    }

    /// The tabs of the years `ReportingYears` offers, `year` among them.
    static func bar(on sql: any SQLDatabase, showing year: Int, url: (Int) -> SiteURL) async throws -> [YearTab] {
        bar(try await ReportingYears.choices(on: sql, showing: year), showing: year, url: url)
    }
}
