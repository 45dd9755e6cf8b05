import PeixunCore
import SQLKit

/// Computes progress reports from the official counts and the progress rollup.
struct ProgressReportService {
    let database: any SQLDatabase
    let regions: RegionDirectory

    private struct KeyedCount: Decodable {
        let key: String
        let stage: String?
        let teachers: Int
    }

    func report(year: Int, regionCode: String) async throws -> ProgressReport {
        guard let region = regions.region(code: regionCode) else { throw AppError.notFound("行政区划") }
        let schoolYear = try await statisticsYear(for: year)
        switch region.level {
        case .province, .city:
            return try await regionReport(year: year, region: region, schoolYear: schoolYear)
        case .county:
            return try await countyReport(year: year, county: region, schoolYear: schoolYear)
        }
    }

    private func statisticsYear(for year: Int) async throws -> Int? {
        struct Row: Decodable { let school_year: Int }
        let years = try await database.select().distinct().column("school_year")
            .from(OfficialCountModel.schema).all(decoding: Row.self).map(\.school_year)
        return StatisticsYear.schoolYear(forReportYear: year, available: years)
    }

    /// Rows are the region's children; stage columns come from the official statistics.
    private func regionReport(year: Int, region: Region, schoolYear: Int?) async throws -> ProgressReport {
        let (keyColumn, filterColumn): (String, String?) = region.level == .province ? ("city_code", nil) : ("county_code", "city_code")
        // Below 全国 a province keeps to its own cities; 全国 sums every city into its province's row.
        let provinceFilter: (any SQLExpression)? = region.level == .province && region.parentCode != nil
            ? SQLBinaryExpression(left: SQLColumn("city_code"), op: SQLBinaryOperator.like, right: SQLBind(RegionScope.provincePrefix(region.code) + "%"))
            : nil
        var figures: [String: ProgressFigures] = [:]
        if let schoolYear {
            var official = database.select()
                .column(SQLColumn(keyColumn), as: "key").column("stage")
                .column(SQLIntegerSum("teachers"), as: "teachers")
                .from(OfficialCountModel.schema)
                .where("school_year", .equal, schoolYear)
                .groupBy(keyColumn).groupBy("stage")
            if let filterColumn { official = official.where(SQLColumn(filterColumn), .equal, SQLBind(region.code)) }
            if let provinceFilter { official = official.where(provinceFilter) }
            for row in try await official.all(decoding: KeyedCount.self) {
                guard let stage = row.stage.flatMap(Stage.init(rawValue:)) else { continue }
                figures[row.key, default: .zero][stage] += row.teachers
            }
        }
        var trained = database.select()
            .column(SQLColumn(keyColumn), as: "key")
            .column(SQLIntegerSum("teachers"), as: "teachers")
            .from(CreateCountyProgressRollups.schema)
            .where("first_passed_year", .greaterThanOrEqual, 1)
            .where("first_passed_year", .lessThanOrEqual, year)
            .groupBy(keyColumn)
        if let filterColumn { trained = trained.where(SQLColumn(filterColumn), .equal, SQLBind(region.code)) }
        if let provinceFilter { trained = trained.where(provinceFilter) }
        for row in try await trained.all(decoding: KeyedCount.self) {
            figures[row.key, default: .zero].trained = row.teachers
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
