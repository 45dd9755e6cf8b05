import Foundation
import PeixunCore
import Vapor

/// 附件1 确认与审核: a year's Appendix 1 on the approval engine — the page, its forms and the
/// JSON API (`ProgressApprovalDesk` does the work).
struct ProgressApprovalController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.reports(.approval()), use: page)
        routes.get(.reports(.apiApproval()), use: api)
        for decision in SiteURL.Reports.Decision.allCases {
            routes.post(.reports(.decide(decision))) { try await self.decide(decision, request: $0, api: false) }
            routes.post(.reports(.apiDecide(decision))) { try await self.decide(decision, request: $0, api: true) }
        }
    }

    struct Query: Content {
        var year: Int?
        var region: String?
    }

    private func view(_ request: Request) async throws -> ProgressApprovalDesk.ViewDTO {
        let query = try request.query.decode(Query.self)
        return try await ProgressApprovalDesk(request: request).view(year: try ProgressApprovalDesk.year(query.year), region: query.region)
    }

    @Sendable func api(request: Request) async throws -> ProgressApprovalDesk.ViewDTO {
        try await view(request)
    }

    struct UnitRow: Encodable, Sendable {
        let unit: ProgressApprovalDesk.UnitDTO
        let url: String
        let completion: String
    }

    struct Page: Encodable, Sendable {
        let pageTitle: String
        let view: ProgressApprovalDesk.ViewDTO
        let years: [YearTab]
        let own: UnitRow?
        let rows: [UnitRow]
        let rowsAreCities: Bool
        let submitURL: String
        let sendBackURL: String
        let approveURL: String
        let reopenURL: String
        let progressURL: String
        let timelinessURL: String
        let apiURL: String
    }

    @Sendable func page(request: Request) async throws -> View {
        let view = try await view(request)
        func row(_ unit: ProgressApprovalDesk.UnitDTO) -> UnitRow {
            UnitRow(unit: unit, url: SiteURL.reports(.approval(year: view.year, region: unit.code)).path,
                    completion: Percent.format(unit.figures.completionRate))
        }
        return try await request.renderPage("progress-approval", Page(
            pageTitle: "培训实施情况确认与审核 · \(view.region.name) · \(view.year)年", view: view,
            years: try await YearTab.bar(on: request.sql, showing: view.year) { .reports(.approval(year: $0, region: view.region.code)) },
            own: view.unit.map(row), rows: view.units.map(row), rowsAreCities: view.units.first?.level == "city",
            submitURL: SiteURL.reports(.decide(.submit)).path, sendBackURL: SiteURL.reports(.decide(.sendBack)).path,
            approveURL: SiteURL.reports(.decide(.approve)).path, reopenURL: SiteURL.reports(.decide(.reopen)).path,
            progressURL: SiteURL.reports(.progress(year: view.year, region: view.region.code)).path,
            timelinessURL: SiteURL.timeliness(.page(task: ProgressApproval.task.key, year: view.year)).path,
            apiURL: SiteURL.reports(.apiApproval(year: view.year, region: view.region.code)).path))
    }

    struct DecisionForm: Content {
        var year: LenientYear?
        var region: String?
        var reason: String?
    }

    private func decide(_ decision: SiteURL.Reports.Decision, request: Request, api: Bool) async throws -> Response {
        let desk = try ProgressApprovalDesk(request: request)
        let form = try request.content.decode(DecisionForm.self)
        let year = try ProgressApprovalDesk.year(form.year?.value)
        let shown = try await desk.decide(decision, year: year, region: form.region, reason: form.reason)
        if api { return try await desk.view(year: year, region: shown).encodeResponse(for: request) }
        return request.redirect(to: SiteURL.reports(.approval(year: year, region: shown)).path, redirectType: .normal)
    }
}
