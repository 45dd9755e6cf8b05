import Fluent
import SQLKit

/// Keeps `progress_rollups` equal to what it summarises: teachers per school, stage and first
/// passed year. Every write path that changes teachers or their records calls `rebuild` for
/// the counties it touched, inside its own transaction.
enum ProgressRollup {
    static func rebuild(counties: [String]? = nil, on database: any SQLDatabase) async throws {
        let table = CreateProgressRollups.schema
        if let counties {
            guard !counties.isEmpty else { return }
            try await database.delete(from: table).where("county_code", .in, counties).run()
        } else {
            try await database.delete(from: table).run()
        }
        let filter: SQLQueryString = counties.map { "WHERE county_code IN \(SQLBind.group($0))" } ?? ""
        try await database.raw("""
            INSERT INTO progress_rollups (school_id, county_code, city_code, stage, first_passed_year, teachers)
            SELECT school_id, county_code, city_code, stage, COALESCE(first_passed_year, 0), COUNT(*)
            FROM teachers \(filter)
            GROUP BY school_id, county_code, city_code, stage, COALESCE(first_passed_year, 0)
            """).run()
        try await rebuildCounties(counties, on: database)
    }

    private static func rebuildCounties(_ counties: [String]?, on database: any SQLDatabase) async throws {
        let table = CreateCountyProgressRollups.schema
        if let counties {
            try await database.delete(from: table).where("county_code", .in, counties).run()
        } else {
            try await database.delete(from: table).run()
        }
        let filter: SQLQueryString = counties.map { "WHERE county_code IN \(SQLBind.group($0))" } ?? ""
        try await database.raw("""
            INSERT INTO progress_county_rollups (county_code, city_code, first_passed_year, teachers)
            SELECT county_code, city_code, first_passed_year, SUM(teachers)
            FROM progress_rollups \(filter)
            GROUP BY county_code, city_code, first_passed_year
            """).run()
    }
}

extension ProgressRollup {
    /// Teachers without any record yet, per school and stage.
    struct NewTeachers: Hashable, Sendable {
        let schoolID: Int
        let countyCode: String
        let cityCode: String
        let stage: String
    }

    /// The rollup rows of counties that had no teachers before an import: written from the
    /// import's own counts instead of scanning the teachers just inserted (a province's first
    /// roster: 1.0 s → 0.1 s). Counties that had teachers must go through `rebuild`.
    static func insertFirstTeachers(_ counts: [NewTeachers: Int], on database: any Database) async throws {
        guard !counts.isEmpty else { return }
        var schools = PlainBulkInsert(into: CreateProgressRollups.schema,
                                      columns: ["school_id", "county_code", "city_code", "stage", "first_passed_year", "teachers"], on: database)
        var counties: [String: (city: String, teachers: Int)] = [:]
        for (group, teachers) in counts {
            try await schools.append([.integer(group.schoolID), .text(group.countyCode), .text(group.cityCode), .text(group.stage), .integer(0), .integer(teachers)])
            counties[group.countyCode, default: (group.cityCode, 0)].teachers += teachers
        }
        try await schools.flush()
        var totals = PlainBulkInsert(into: CreateCountyProgressRollups.schema,
                                     columns: ["county_code", "city_code", "first_passed_year", "teachers"], on: database)
        for (county, total) in counties {
            try await totals.append([.text(county), .text(total.city), .integer(0), .integer(total.teachers)])
        }
        try await totals.flush()
    }
}
