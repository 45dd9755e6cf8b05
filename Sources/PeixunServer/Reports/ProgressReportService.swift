import PeixunCore
import SQLKit

/// Computes progress reports from the official counts and the progress rollup.
struct ProgressReportService {
    let database: any SQLDatabase
    let regions: RegionDirectory

    func report(year: Int, regionCode: String) async throws -> ProgressReport {
        guard let region = regions.region(code: regionCode) else { throw AppError.notFound("行政区划") }
        switch region.level {
        case .province, .city:
            return try await regionReport(year: year, region: region)
        case .county:
            return try await countyReport(year: year, county: region, schoolYear: try await statisticsYear(for: year))
        }
    }

    private func statisticsYear(for year: Int) async throws -> Int? {
        try await Self.statisticsYear(for: year, on: database)
    }

    /// The school year whose official counts a report year uses, among those stored anywhere.
    static func statisticsYear(for year: Int, on database: any SQLDatabase) async throws -> Int? {
        struct Row: Decodable { let school_year: Int }
        let years = try await database.select().distinct().column("school_year")
            .from(OfficialCountModel.schema).all(decoding: Row.self).map(\.school_year)
        return StatisticsYear.schoolYear(forReportYear: year, available: years)
    }

    /// Rows are the region's children; stage columns come from the official statistics.
    ///
    /// One query for everything (official counts of every school year, by stage, the school years
    /// stored anywhere — the year is the same for every region, as in `statisticsYear` — and the
    /// trained teachers), and the statistics year picked here: the province's report was five queries a
    /// request with the sign-in, and each query's trip through the database pool cost more than
    /// the query itself (bench/auth.sh, issue 16).
    private func regionReport(year: Int, region: Region) async throws -> ProgressReport {
        let key: SQLQueryString = region.level == .province ? "city_code" : "county_code"
        // Below 全国 a province keeps to its own cities; 全国 sums every city into its province's row.
        let filter: SQLQueryString = if region.level == .city {
            "AND city_code = \(bind: region.code)"
        } else if region.parentCode != nil {
            "AND \(RegionScope.province(region.code).predicate())"
        } else {
            ""
        }
        struct Row: Decodable {
            let key: String
            let school_year: Int?
            let kindergarten: Int
            let primary_secondary: Int
            let vocational: Int
            let trained: Int
        }
        func stage(_ stage: Stage) -> SQLQueryString {
            "CAST(SUM(CASE WHEN stage = \(bind: stage.rawValue) THEN teachers ELSE 0 END) AS BIGINT)"
        }
        let counts = try await database.preparedAll("""
            SELECT \(key) AS key, school_year, \(stage(.kindergarten)) AS kindergarten,
                   \(stage(.primarySecondary)) AS primary_secondary, \(stage(.vocational)) AS vocational, 0 AS trained
            FROM official_counts WHERE 1 = 1 \(filter) GROUP BY school_year, \(key)
            UNION ALL
            SELECT '', school_year, 0, 0, 0, 0 FROM official_counts GROUP BY school_year
            UNION ALL
            SELECT \(key), NULL, 0, 0, 0, CAST(SUM(teachers) AS BIGINT)
            FROM progress_county_rollups WHERE first_passed_year BETWEEN 1 AND \(bind: year) \(filter) GROUP BY \(key)
            """, decoding: Row.self)
        let schoolYear = StatisticsYear.schoolYear(forReportYear: year, available: Array(Set(counts.compactMap(\.school_year))))
        var figures: [String: ProgressFigures] = [:]
        for row in counts where row.school_year == nil || row.school_year == schoolYear {
            figures[row.key, default: .zero] += ProgressFigures(
                kindergarten: row.kindergarten, primarySecondary: row.primary_secondary, vocational: row.vocational, trained: row.trained)
        }
        let children = regions.children(of: region.code)
        let rows = children.map { child in
            let total = child.level == .province
                ? regions.children(of: child.code).reduce(ProgressFigures.zero) { $0 + (figures[$1.code] ?? .zero) }
                : figures[child.code] ?? .zero
            return ProgressRow(key: child.code, name: child.name, figures: total)
        }
        let rowLevel: ProgressReport.RowLevel = children.first?.level == .province ? .province : region.level == .province ? .city : .county
        return ProgressReport(
            year: year, region: region, rowLevel: rowLevel,
            schoolYear: schoolYear, table: ProgressTable(rows: rows), officialTotal: nil)
    }

    /// Rows are the county's schools; stage columns count the teachers on each school's roll.
    private func countyReport(year: Int, county: Region, schoolYear: Int?) async throws -> ProgressReport {
        struct SchoolRow: Decodable { let id: Int; let name: String }
        struct RollupRow: Decodable { let school_id: Int; let stage: String; let teachers: Int; let trained: Int }
        let schools = try await database.select().column("id").column("name")
            .from(SchoolModel.schema).where("county_code", .equal, county.code)
            .orderBy("name").all(decoding: SchoolRow.self)
        let rollups = try await database.raw("""
            SELECT school_id, stage, CAST(SUM(teachers) AS BIGINT) AS teachers,
                   CAST(SUM(CASE WHEN first_passed_year BETWEEN 1 AND \(bind: year) THEN teachers ELSE 0 END) AS BIGINT) AS trained
            FROM progress_rollups WHERE county_code = \(bind: county.code)
            GROUP BY school_id, stage
            """).all(decoding: RollupRow.self)
        var figures: [Int: ProgressFigures] = [:]
        for row in rollups {
            guard let stage = Stage(rawValue: row.stage) else { continue }
            figures[row.school_id, default: .zero][stage] += row.teachers
            figures[row.school_id, default: .zero].trained += row.trained
        }
        var officialTotal: Int?
        if let schoolYear {
            struct Total: Decodable { let teachers: Int? }
            officialTotal = try await database.select()
                .column(SQLIntegerSum("teachers"), as: "teachers")
                .from(OfficialCountModel.schema)
                .where("county_code", .equal, county.code).where("school_year", .equal, schoolYear)
                .first(decoding: Total.self)?.teachers
        }
        let rows = schools.map { ProgressRow(key: String($0.id), name: $0.name, figures: figures[$0.id] ?? .zero) }
        return ProgressReport(
            year: year, region: county, rowLevel: .school, schoolYear: schoolYear,
            table: ProgressTable(rows: rows), officialTotal: officialTotal)
    }
}

/// `CAST(SUM(column) AS BIGINT)`: PostgreSQL sums integers as NUMERIC, which does not decode
/// as `Int`; SQLite already sums to an integer.
struct SQLIntegerSum: SQLExpression {
    let column: String

    init(_ column: String) { self.column = column }

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write("CAST(SUM(")
        SQLColumn(column).serialize(to: &serializer)
        serializer.write(") AS BIGINT)")
    }
}
