import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import SQLKit
import Vapor

/// 整合培训项目教师参训情况汇总表, per project: a city's counties (or the province's cities, or
/// one county) × 2014–2017 × (分配人数, 核实人数), with the subtotal; page, JSON and .xlsx.
struct SummaryController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.integration(.summary()), use: page)
        routes.get(.integration(.apiSummary), use: api)
    }

    struct Query: Decodable {
        var project: Int?
        var region: String?
        var format: String?
    }

    struct CellDTO: Content { let year: Int; let allocated: Int; let verified: Int }
    struct RowDTO: Content { let code: String?; let name: String; let cells: [CellDTO] }

    struct SummaryDTO: Content {
        let projectID: Int
        let project: String
        let region: String
        let regionName: String
        let years: [Int]
        let rows: [RowDTO]
        let total: RowDTO
    }

    private func load(_ request: Request) async throws -> (SummaryDTO, IntegrationSummary, [ProjectModel]) {
        let user = try request.requireUser()
        guard [.province, .city, .county].contains(user.role), let root = user.scope.root(in: request.application.regions) else {
            throw AppError.notFound()
        }
        let query = try request.query.decode(Query.self)
        let regions = request.application.regions
        let projects = try await ProjectModel.query(on: request.db).filter(\.$level == TrainingLevel.cooperation.rawValue).sort(\.$id).all()
        guard let project = query.project.flatMap({ id in projects.first { $0.id == id } }) ?? projects.first else { throw AppError.notFound("合作项目") }
        let code = query.region ?? root
        guard let region = regions.region(code: code), user.scope.contains(regionCode: code, in: regions) else { throw AppError.notFound("行政区划") }
        let summary = try await Self.summary(projectID: project.id!, region: region, scope: user.scope.predicate(table: "e"),
                                             on: request.sql, regions: regions)
        func dto(_ row: IntegrationSummary.Row) -> RowDTO {
            RowDTO(code: row.code, name: row.name, cells: zip(IntegrationSummary.years, row.cells).map {
                CellDTO(year: $0.0, allocated: $0.1.allocated, verified: $0.1.verified)
            })
        }
        return (SummaryDTO(projectID: project.id!, project: project.name, region: region.code, regionName: region.name,
                           years: IntegrationSummary.years, rows: summary.rows.map(dto), total: dto(summary.total)), summary, projects)
    }

    /// The summary of one project for `region` (its counties or cities as rows), limited to
    /// `scope`; the frozen copy kept when the province approves a city reads the same.
    static func summary(projectID: Int, region: Region, scope: any SQLExpression, on sql: any SQLDatabase,
                        regions: RegionDirectory) async throws -> IntegrationSummary {
        struct Row: Decodable { let year: Int; let county_code: String; let city_code: String; let allocated: Int; let verified: Int }
        // A province below 全国 keeps to its own cities.
        let filter = RegionScope(subtreeOf: region).predicate(table: "e")
        let rows = try await sql.preparedAll("""
            SELECT b.year, e.county_code, e.city_code, \(EntryFigures.columns([.allocated, .verified], table: "e"))
            FROM integration_entries e JOIN integration_batches b ON b.id = e.batch_id
            WHERE b.project_id = \(bind: projectID) AND e.county_code IS NOT NULL AND \(scope) AND \(filter)
            GROUP BY b.year, e.county_code, e.city_code
            """, decoding: Row.self)
        var counts: [String: [Int: IntegrationSummary.Cell]] = [:]
        for row in rows {
            let key = region.level == .province ? row.city_code : row.county_code
            counts[key, default: [:]][row.year, default: .init()].allocated += row.allocated
            counts[key, default: [:]][row.year, default: .init()].verified += row.verified
        }
        let areas: [(code: String, name: String)] = switch region.level {
        case .province, .city: regions.children(of: region.code).map { ($0.code, $0.name) }
        case .county: [(region.code, region.name)]
        }
        return IntegrationSummary(areas: areas, counts: counts, totalLabel: region.level == .province ? "合计" : "小计")
    }

    @Sendable func api(request: Request) async throws -> SummaryDTO {
        try await load(request).0
    }

    struct Option: Encodable, Sendable { let id: Int; let name: String; let selected: Bool }

    struct Page: Encodable, Sendable {
        let pageTitle = "整合培训项目教师参训情况汇总表"
        let view: SummaryDTO
        let projects: [Option]
        let xlsxURL: String
        let batchesURL = SiteURL.integration(.batches).path
        let formURL = SiteURL.integration(.summary()).path
    }

    @Sendable func page(request: Request) async throws -> Response {
        let (view, summary, projects) = try await load(request)
        if (try request.query.get(String?.self, at: "format")) == "xlsx" {
            let path = NSTemporaryDirectory() + "peixun-summary-\(UUID().uuidString).xlsx"
            defer { try? FileManager.default.removeItem(atPath: path) }
            // The paper copy's 填表人 is whoever exports it; the phone is the unit's contact (附件4).
            var phone = ""
            if let region = request.application.regions.region(code: view.region) { phone = try await FormLines.phone(of: region, on: request.db) }
            try IntegrationSummaryWorkbook.write(summary, project: view.project, regionName: view.regionName,
                                                 filler: try request.requireUser().displayName, phone: phone, to: path)
            return try TableDownload.file(at: path, fileName: "\(view.regionName)整合培训项目教师参训情况汇总表-\(view.project)",
                                          asciiFileName: "integration-summary-\(view.projectID)")
        }
        let page = Page(view: view, projects: projects.map { Option(id: $0.id!, name: $0.name, selected: $0.id == view.projectID) },
                        xlsxURL: SiteURL.integration(.summary(project: view.projectID, region: view.region, format: "xlsx")).path)
        return try await request.renderPage("integration-summary", page).encodeResponse(for: request)
    }
}
