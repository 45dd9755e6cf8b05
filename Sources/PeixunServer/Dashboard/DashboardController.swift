import Fluent
import Foundation
import PeixunCore
import Vapor

/// 工作台 `GET /dashboard` and its JSON twin `GET /api/v1/dashboard?year=&region=`: the signed-in
/// province, city or county sees its own subtree (another region of it with `region=`).
struct DashboardController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.dashboard(.page()), use: page)
        routes.get(.dashboard(.api()), use: api)
    }

    struct Query: Decodable {
        var year: Int?
        var region: String?
    }

    static func year(_ value: Int?) throws -> Int {
        let year = value ?? ReportingTask.defaultYear
        guard DashboardService.trendYears.first! - 1...ReportingTask.years.upperBound ~= year else {
            throw AppError(.unprocessableEntity, code: "year.invalid",
                           "年度无效：\(year)（可选 \(DashboardService.trendYears.first!)–\(ReportingTask.years.upperBound)）")
        }
        return year
    }

    private func load(_ request: Request) async throws -> DashboardService.Dashboard {
        let user = try request.requireUser()
        guard [.province, .city, .county].contains(user.role) else { throw AppError.notFound() }
        let query = try request.query.decode(Query.self)
        let regions = request.application.regions
        let region = try user.visibleRegion(query.region, in: regions)
        return try await DashboardService(database: request.db, regions: regions)
            .dashboard(year: try Self.year(query.year), region: region, today: request.clock.today())
    }

    @Sendable func api(request: Request) async throws -> DashboardService.Dashboard {
        try await load(request)
    }

    @Sendable func page(request: Request) async throws -> View {
        let dashboard = try await load(request)
        return try await request.renderPage("dashboard", DashboardPage(dashboard, years: try await ReportingYears.choices(on: request.sql, showing: dashboard.year)))
    }
}
