import Fluent
import PeixunCore
import PeixunSheets
import SQLKit
import Vapor

/// Appendix 1: the province's progress, drilled down to counties, schools and teachers;
/// as a page, JSON and an Excel workbook.
struct ProgressController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.reports(.progress()), use: page)
        routes.get(.reports(.untrainedTeachers(.key)), use: untrained)
        routes.get(.reports(.apiProgress()), use: api)
    }

    @Sendable func page(request: Request) async throws -> Response {
        let query = try await ProgressQuery.decode(from: request, defaultYear: request.defaultReportYear)
        let report = try await request.progressReports.report(year: query.year, regionCode: query.regionCode)
        switch query.format {
        case "xlsx":
            let region = AuditLog.regionColumns(report.region.code, directory: request.application.regions)
            try await AuditLog.record(
                on: request.db, actor: .init(request), action: .export, objectType: "progress_report", objectID: report.region.code,
                countyCode: region.county, cityCode: region.city, summary: "导出\(report.region.name)\(report.year)年培训实施情况统计表")
            return try await ProgressExport.xlsxResponse(for: report, request: request)
        case "json": return try await ProgressDTO(report).encodeResponse(for: request)
        default:
            let model = ProgressPageModel(report: report, regions: request.application.regions, scope: request.scope,
                                          yearChoices: try await ReportingYears.choices(on: request.sql, showing: report.year))
            return try await request.renderPage("progress", model).encodeResponse(for: request)
        }
    }

    @Sendable func api(request: Request) async throws -> ProgressDTO {
        let query = try await ProgressQuery.decode(from: request, defaultYear: request.defaultReportYear)
        return ProgressDTO(try await request.progressReports.report(year: query.year, regionCode: query.regionCode))
    }

    @Sendable func untrained(request: Request) async throws -> View {
        guard let schoolID = request.parameters.get(.schoolID, as: Int.self) else { throw AppError.notFound("学校") }
        let query = try await ProgressQuery.decode(from: request, defaultYear: request.defaultReportYear)
        let pageNumber = (try? request.query.get(Int.self, at: "page")) ?? 1
        let page = try await UntrainedTeachersPage.load(schoolID: schoolID, year: query.year, page: pageNumber, scope: request.scope, on: request.sql)
        return try await request.renderPage("untrained", UntrainedPageModel(page: page, regions: request.application.regions, scope: request.scope))
    }
}

extension Request {
    var sql: any SQLDatabase { db as! any SQLDatabase }

    var progressReports: ProgressReportService {
        ProgressReportService(database: sql, regions: application.regions)
    }

    /// The year a report shows when none is asked for: the programme's current reporting year,
    /// the same on the landing page, in the menu and in the API.
    @Sendable func defaultReportYear() async throws -> Int {
        ReportingYears.current
    }
}
