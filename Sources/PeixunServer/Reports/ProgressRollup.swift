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
