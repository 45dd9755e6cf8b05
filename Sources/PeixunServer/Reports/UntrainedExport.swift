import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import SQLKit
import Vapor

/// 未培训教师名单: the teachers of a county (or a city, or one school) who had not passed any
/// training by the report year, as .xlsx or CSV, with IDs masked. Scoped and audited.
struct UntrainedExportController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.reports(.untrainedExport()), use: export)
    }

    struct Row: Decodable {
        let id: Int
        let county_code: String
        let school: String
        let stage: String
        let name: String
        let resident_id: String
        let mobile: String?
        let failed: Int
    }

    static let headers = ["县(市、区)", "所在学校", "学段", "教师姓名", "身份证号码", "联系电话", "状态"]

    struct Query: Decodable { let year: Int?; let region: String?; let school: Int?; let format: String? }

    /// A list above `JobQueue.Settings.inlineExportRows` (a city's) is written by a job (`ExportJob`).
    @Sendable func export(request: Request) async throws -> Response {
        let query = try request.query.decode(Query.self)
        let (region, year) = try Self.selection(query, scope: request.scope, regions: request.application.regions)
        let format = try TableDownload.format(query.format)
        let count = try await request.sql.raw("""
            SELECT COUNT(*) AS n FROM teachers t WHERE \(Self.filter(query, region: region, year: year))
            """).first(decoding: Count.self)?.n ?? 0
        try TableLayout.checkRowLimit(count, what: "未培训教师")
        if ExportJob.runsAsJob(rows: count, request: request) {
            return try await ExportJob.start(.untrained, format: format, title: "\(region.name)截至\(year)年底未培训教师名单", rows: count, request: request)
        }
        return try await Self.export(query, scope: request.scope, database: request.db, regions: request.application.regions, actor: .init(request))
            .download(chunkRows: request.application.jobs.settings.exportChunkRows).response(format)
    }

    private struct Count: Decodable { let n: Int }

    /// The region and year asked for, checked against the scope.
    static func selection(_ query: Query, scope: RegionScope, regions: RegionDirectory) throws -> (Region, Int) {
        guard let root = scope.root(in: regions) else { throw AppError.notFound() }
        let regionCode = query.region ?? root
        guard scope.contains(regionCode: regionCode, in: regions), let region = regions.region(code: regionCode) else {
            throw AppError.notFound("行政区划")
        }
        guard region.level != .province || query.school != nil else {
            throw AppError.badRequest(code: "region.too_large", "全省名单过大，请按市(州)或县(市、区)导出")
        }
        let year = query.year ?? ReportingYears.current
        guard ProgressQuery.years.contains(year) else { throw AppError.badRequest(code: "year.invalid", "年度参数无效") }
        return (region, year)
    }

    /// `teachers t` of the list.
    private static func filter(_ query: Query, region: Region, year: Int) -> SQLQueryString {
        let regionFilter: SQLQueryString = region.level == .city ? "t.city_code = \(bind: region.code)" : "t.county_code = \(bind: region.code)"
        let schoolFilter: SQLQueryString = query.school.map { "AND t.school_id = \(bind: $0)" } ?? ""
        return "\(regionFilter) \(schoolFilter) AND (t.first_passed_year IS NULL OR t.first_passed_year > \(bind: year))"
    }

    /// The file's content, the same whether a request or a job writes it: its ids now (and the
    /// audit entry), its rows a chunk at a time as the writer asks (`TableExport`).
    static func export(_ query: Query, scope: RegionScope, database: any Database, regions: RegionDirectory,
                       actor: AuditLog.Actor) async throws -> TableExport {
        let (region, year) = try selection(query, scope: scope, regions: regions)
        let sql = database as! any SQLDatabase
        let condition = filter(query, region: region, year: year)
        let ids = try await TableExport.ids("""
            SELECT t.id FROM teachers t JOIN schools s ON s.id = t.school_id WHERE \(condition) ORDER BY t.county_code, s.name, t.name, t.id
            """, what: "未培训教师", on: sql)
        if let school = query.school, ids.isEmpty {
            // A school outside the region or the scope must not be told apart from an empty one.
            let exists = try await SchoolModel.query(on: database).filter(\.$id == school).scoped(to: scope).count() > 0
            if !exists { throw AppError.notFound("学校") }
        }
        let audit = AuditLog.regionColumns(region.code, directory: regions)
        try await AuditLog.record(on: database, actor: actor, action: .export, objectType: "untrained_list", objectID: region.code,
                                  countyCode: audit.county, cityCode: audit.city,
                                  summary: "导出\(region.name)截至\(year)年底未培训教师名单（\(ids.count) 人）")
        let layout = TableLayout(
            title: "\(region.name)截至\(year)年底未培训教师名单", sheetName: "未培训教师", headers: headers,
            widths: [14, 34, 10, 10, 22, 22, 10], fileName: "\(region.name)未培训教师名单-\(year)", asciiFileName: "untrained-\(year)")
        return TableExport(layout: layout, ids: ids) { chunk in
            let rows = try await sql.raw("""
                SELECT t.id, t.county_code, s.name AS school, t.stage, t.name, t.resident_id, t.mobile,
                       (SELECT COUNT(*) FROM training_records r
                        WHERE r.teacher_id = t.id AND r.result = \(bind: TrainingResult.failed.rawValue) AND r.year <= \(bind: year)) AS failed
                FROM teachers t JOIN schools s ON s.id = t.school_id
                WHERE \(TableExport.idList("t.id", chunk)) AND \(condition)
                """).all(decoding: Row.self)
            return TableExport.ordered(rows, by: chunk, id: \.id).map { row in
                [regions.region(code: row.county_code)?.name ?? row.county_code, row.school, Stage(rawValue: row.stage)?.label ?? row.stage,
                 row.name, ResidentID(canonical: row.resident_id)?.masked ?? "******", row.mobile ?? "", row.failed > 0 ? "不合格" : "未参训"]
            }
        }
    }
}
