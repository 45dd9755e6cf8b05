import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

/// 证书补发 on the web and in the API: the desks of the institution, county, city and
/// province, a request's steps, the round's approval steps, and the institutions' projects.
struct ReissueController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.reissue(.page()), use: page)
        routes.get(.reissue(.api()), use: api)
        routes.post(.reissue(.create)) { try await self.create(request: $0, api: false) }
        routes.post(.reissue(.apiCreate)) { try await self.create(request: $0, api: true) }
        for step in SiteURL.Reissue.RequestStep.allCases where step != .statement {
            routes.post(.reissue(.request(.key, step))) { try await self.step(step, request: $0, api: false) }
            routes.post(.reissue(.apiRequest(.key, step))) { try await self.step(step, request: $0, api: true) }
        }
        // A statement may come with a scan: its routes stream their bodies (ReissueController+Statement).
        routes.upload(.reissue(.request(.key, .statement))) { try await self.statement(request: $0, api: false) }
        routes.upload(.reissue(.apiRequest(.key, .statement))) { try await self.statement(request: $0, api: true) }
        routes.get(.reissue(.statementFile(.key))) { request in
            guard let id = request.parameters.get(.requestID, as: Int.self) else { throw AppError.notFound("补发申请") }
            return try await ReissueDesk(request: request).statementFile(id).response()
        }
        for decision in SiteURL.Reissue.Decision.allCases {
            routes.post(.reissue(.round(.key, decision))) { try await self.decide(decision, request: $0, api: false) }
            routes.post(.reissue(.apiRound(.key, decision))) { try await self.decide(decision, request: $0, api: true) }
        }
        routes.get(.reissue(.apiInstitutionProjects(.key))) { try await self.institutionProjects(request: $0, set: false) }
        routes.post(.reissue(.apiInstitutionProjects(.key))) { try await self.institutionProjects(request: $0, set: true) }
    }

    struct PageQuery: Decodable {
        var region: String?
        var notice: String?
    }

    @Sendable func api(request: Request) async throws -> ReissueDesk.OverviewDTO {
        try await ReissueDesk(request: request).overview(region: try request.query.decode(PageQuery.self).region)
    }

    struct RequestLinks: Encodable, Sendable {
        let statementURL: String
        let acceptURL: String
        let returnURL: String
    }

    struct UnitLinks: Encodable, Sendable {
        let url: String
        let sendBackURL: String
        let approveURL: String
        let reopenURL: String
    }

    struct Page: Encodable, Sendable {
        let pageTitle = "证书补发"
        let view: ReissueDesk.OverviewDTO
        let notice: String?
        let isInstitution: Bool
        let isCounty: Bool
        let isCity: Bool
        let isProvince: Bool
        let mayCreate: Bool
        let createURL = SiteURL.reissue(.create).path
        let kinds = ReissueKind.allCases.map { Option(value: $0.rawValue, label: $0.label) }
        let submitURL: String?
        let sendBackURL: String?
        let approveURL: String?
        let reopenURL: String?
        let units: [Linked<ReissueDesk.UnitDTO, UnitLinks>]
        /// The province on a city's desk: it may tick counties to send back with the city.
        let mayPickCounties: Bool
        /// Leaf takes an empty array for true.
        let hasUnits: Bool
        let requests: [Linked<ReissueRequestDTO, RequestLinks>]
        let hasRequests: Bool
        let upURL: String?

        struct Option: Encodable, Sendable { let value: String; let label: String }
    }

    @Sendable func page(request: Request) async throws -> View {
        let query = try request.query.decode(PageQuery.self)
        let desk = try ReissueDesk(request: request)
        let view = try await desk.overview(region: query.region)
        let round = view.roundID.map { SiteURL.Parameter.value($0) }
        func decision(_ decision: SiteURL.Reissue.Decision) -> String? { round.map { SiteURL.reissue(.round($0, decision)).path } }
        let units = view.units.map { unit in
            Linked(unit, UnitLinks(url: SiteURL.reissue(.page(region: unit.code)).path,
                                   sendBackURL: SiteURL.reissue(.round(.value(unit.roundID), .sendBack)).path,
                                   approveURL: SiteURL.reissue(.round(.value(unit.roundID), .approve)).path,
                                   reopenURL: SiteURL.reissue(.round(.value(unit.roundID), .reopen)).path))
        }
        let requests = view.requests.map { row in
            Linked(row, RequestLinks(statementURL: SiteURL.reissue(.request(.value(row.id), .statement)).path,
                                     acceptURL: SiteURL.reissue(.request(.value(row.id), .accept)).path,
                                     returnURL: SiteURL.reissue(.request(.value(row.id), .return)).path))
        }
        let regions = request.application.regions
        let root = desk.user.scope.root(in: regions)
        let up = view.region.flatMap { $0 == root ? nil : regions.region(code: $0)?.parentCode }
        return try await request.renderPage("reissue", Page(
            view: view, notice: query.notice.map { String($0.prefix(200)) }, isInstitution: view.level == "institution",
            isCounty: view.level == "county", isCity: view.level == "city", isProvince: view.level == "province",
            mayCreate: desk.user.role == .county, submitURL: decision(.submit), sendBackURL: decision(.sendBack),
            approveURL: decision(.approve), reopenURL: decision(.reopen), units: units,
            mayPickCounties: view.level == "city" && view.actions.maySendBack && !units.isEmpty, hasUnits: !units.isEmpty, requests: requests,
            hasRequests: !view.requests.isEmpty, upURL: up.map { SiteURL.reissue(.page(region: $0)).path }))
    }

    private func create(request: Request, api: Bool) async throws -> Response {
        let desk = try ReissueDesk(request: request)
        let model = try await desk.create(try request.content.decode(ReissueDesk.NewRequest.self))
        if api { return try await desk.dto(model).encodeResponse(status: .created, for: request) }
        if desk.user.role == .teacher { return request.redirect(to: SiteURL.certificates(.mine).path, redirectType: .normal) }
        return request.redirect(to: SiteURL.reissue(.page(notice: "已登记补发申请 #\(model.id!)")).path, redirectType: .normal)
    }

    struct StepForm: Content {
        var text: String?
        var reason: String?
    }

    private func step(_ step: SiteURL.Reissue.RequestStep, request: Request, api: Bool) async throws -> Response {
        let desk = try ReissueDesk(request: request)
        guard let id = request.parameters.get(.requestID, as: Int.self) else { throw AppError.notFound("补发申请") }
        // Not found before anything is read from the form: nobody learns of another's request.
        _ = try await desk.find(id, on: request.db)
        let form = try request.content.decode(StepForm.self)
        let model = switch step {
        case .statement: try await desk.statement(id, text: form.text)
        case .accept: try await desk.accept(id)
        case .return: try await desk.returnToRequester(id, reason: form.reason)
        }
        return try await answer(desk, model, notice: "补发申请 #\(id)：\(try model.status().label)", request: request, api: api)
    }

    /// A request step's answer: the request as JSON, or the desk with a notice.
    func answer(_ desk: ReissueDesk, _ model: ReissueRequestModel, notice: String, request: Request, api: Bool) async throws -> Response {
        if api { return try await desk.dto(model).encodeResponse(for: request) }
        return request.redirect(to: SiteURL.reissue(.page(notice: notice)).path, redirectType: .normal)
    }

    private func decide(_ decision: SiteURL.Reissue.Decision, request: Request, api: Bool) async throws -> Response {
        let desk = try ReissueDesk(request: request)
        guard let id = request.parameters.get(.roundID, as: Int.self) else { throw AppError.notFound("补发批次") }
        _ = try await desk.round(id, on: request.db)
        let input = try request.content.decode(ReissueDesk.Decision.self)
        let region = try await desk.decide(decision, round: id, input)
        let shown = desk.user.role == .province ? region : nil
        if api { return try await desk.overview(region: shown).encodeResponse(for: request) }
        var notice = "已\(Self.label(decision))"
        if decision == .sendBack, let unit = request.application.regions.region(code: input.county ?? region) {
            // Says whom it reached: the city and the counties ticked with it, or the county.
            let counties = (input.counties ?? []).compactMap { request.application.regions.region(code: $0)?.name }
            notice = "已退回\(unit.name)的补发申请" + (counties.isEmpty ? "" : "，\(counties.joined(separator: "、"))一并退回")
                + "（原因：\(String(TextCleaning.clean(input.reason ?? "").prefix(60)))）"
        }
        return request.redirect(to: SiteURL.reissue(.page(region: shown, notice: notice)).path, redirectType: .normal)
    }

    static func label(_ decision: SiteURL.Reissue.Decision) -> String {
        switch decision {
        case .submit: "提交"
        case .sendBack: "退回"
        case .approve: "审核通过，补发证书已生成"
        case .reopen: "重新打开，补发的证书已作废"
        }
    }

    struct ProjectsDTO: Content {
        let userID: Int
        let username: String
        let projects: [Int]
    }

    struct ProjectsInput: Content { var projects: [Int]? }

    /// The projects an institution account runs; only the top office reads or sets them (institutions belong to no region).
    private func institutionProjects(request: Request, set: Bool) async throws -> ProjectsDTO {
        let user = try request.requireUser()
        guard user.isTopOffice, let id = request.parameters.get(.userID, as: Int.self),
              let account = try await UserModel.find(id, on: request.db), account.roleValue == .institution else {
            throw AppError.notFound("培训机构账户")
        }
        if set {
            let projects = try request.content.decode(ProjectsInput.self).projects ?? []
            try await InstitutionProjects.assign(projects, to: account, actor: AuditLog.Actor(request), on: request.db)
        }
        return ProjectsDTO(userID: id, username: account.username, projects: try await InstitutionProjects.projects(of: id, on: request.sql))
    }
}
