import Foundation
import PeixunCore
import Vapor

/// 合格名单上报 on the web and in the API: an institution's lists and their fate, the
/// province's review (counts per county, rows, errors, the error workbook), publish and send
/// back; and 核实进度, the institution's trainees per county.
struct ProposedListController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.institutions(.proposals), use: page)
        routes.get(.institutions(.proposal(.key)), use: detailPage)
        routes.get(.institutions(.errors(.key)), use: errorWorkbook)
        routes.post(.institutions(.publish(.key))) { try await self.decide($0, publish: true, api: false) }
        routes.post(.institutions(.sendBack(.key))) { try await self.decide($0, publish: false, api: false) }
        routes.get(.institutions(.progress), use: progressPage)
        routes.get(.institutions(.apiProposals), use: apiList)
        routes.get(.institutions(.apiProposal(.key)), use: apiDetail)
        routes.post(.institutions(.apiPublish(.key))) { try await self.decide($0, publish: true, api: true) }
        routes.post(.institutions(.apiSendBack(.key))) { try await self.decide($0, publish: false, api: true) }
        routes.get(.institutions(.apiProgress), use: apiProgress)
    }

    private func lists(_ request: Request) throws -> ProposedLists {
        let lists = try ProposedLists(request: request)
        guard lists.scope != .none else { throw AppError.notFound() }
        return lists
    }

    private func id(_ request: Request) throws -> Int {
        guard let id = request.parameters.get(.proposalID, as: Int.self) else { throw AppError.notFound("上报的名单") }
        return id
    }

    struct ListQuery: Decodable { var notice: String? }

    struct ListPage: Encodable, Sendable {
        let pageTitle = "合格名单上报"
        let proposals: [ProposedLists.ProposalDTO]
        let hasProposals: Bool
        let isProvince: Bool
        let uploadURL: String?
        let progressURL = SiteURL.institutions(.progress).path
        let notice: String?
    }

    @Sendable func page(request: Request) async throws -> View {
        let lists = try lists(request)
        let proposals = try await lists.list()
        return try await request.renderPage("proposals", ListPage(
            proposals: proposals, hasProposals: !proposals.isEmpty, isProvince: lists.isProvince,
            uploadURL: lists.isProvince ? nil : SiteURL.imports(.form(.institution)).path,
            notice: try request.query.decode(ListQuery.self).notice.map { String($0.prefix(200)) }))
    }

    struct DetailQuery: Decodable {
        var county: String?
        var page: Int?
        var notice: String?
    }

    struct DetailPage: Encodable, Sendable {
        let pageTitle: String
        let detail: ProposedLists.DetailDTO
        let notice: String?
        let listURL = SiteURL.institutions(.proposals).path
        let allRowsURL: String
        let errorsURL: String
        let publishURL: String
        let sendBackURL: String
        let previousURL: String?
        let nextURL: String?
        let hasErrors: Bool
        let confirmPublish: String
    }

    private func detail(_ request: Request) async throws -> ProposedLists.DetailDTO {
        let query = try request.query.decode(DetailQuery.self)
        return try await lists(request).detail(try id(request), county: query.county, page: query.page)
    }

    @Sendable func detailPage(request: Request) async throws -> View {
        let query = try request.query.decode(DetailQuery.self)
        let detail = try await detail(request)
        let id = detail.proposal.id
        func pageURL(_ page: Int) -> String { SiteURL.institutions(.proposal(.value(id), county: query.county, page: page)).path }
        return try await request.renderPage("proposal", DetailPage(
            pageTitle: "\(detail.proposal.projectName) \(detail.proposal.year)年合格名单", detail: detail,
            notice: query.notice.map { String($0.prefix(200)) },
            allRowsURL: SiteURL.institutions(.proposal(.value(id))).path, errorsURL: SiteURL.institutions(.errors(.value(id))).path,
            publishURL: SiteURL.institutions(.publish(.value(id))).path, sendBackURL: SiteURL.institutions(.sendBack(.value(id))).path,
            previousURL: detail.page > 1 ? pageURL(detail.page - 1) : nil, nextURL: detail.page < detail.pageCount ? pageURL(detail.page + 1) : nil,
            hasErrors: !detail.errors.isEmpty,
            confirmPublish: "把“\(detail.proposal.projectName)”\(detail.proposal.year)年名单的 \(detail.proposal.valid) 人发布到 \(detail.counties.count) 个县(市、区)核实？发布后各县即可看到，不能撤回。"))
    }

    @Sendable func apiList(request: Request) async throws -> [ProposedLists.ProposalDTO] { try await lists(request).list() }

    @Sendable func apiDetail(request: Request) async throws -> ProposedLists.DetailDTO { try await detail(request) }

    @Sendable func errorWorkbook(request: Request) async throws -> Response {
        let lists = try lists(request)
        let model = try await lists.find(try id(request))
        return try await lists.dryRun(model, uploads: request.application.uploads).errorWorkbookResponse(uploadedAs: model.fileName)
    }

    struct DecisionInput: Content { var reason: String? }

    private func decide(_ request: Request, publish: Bool, api: Bool) async throws -> Response {
        let lists = try lists(request)
        let id = try id(request)
        let model = publish ? try await lists.publish(id, uploads: request.application.uploads)
            : try await lists.sendBack(id, reason: try request.content.decode(DecisionInput.self).reason)
        if api {
            guard let dto = try await lists.list(id: model.id!).first else { throw AppError.notFound("上报的名单") }
            return try await dto.encodeResponse(for: request)
        }
        let notice = publish ? "已发布到各县核实" : "已退回培训机构"
        return request.redirect(to: SiteURL.institutions(.proposals).path(adding: [URLQueryItem(name: "notice", value: notice)]), redirectType: .normal)
    }

    struct ProgressPage: Encodable, Sendable {
        let pageTitle = "核实进度"
        let projects: [InstitutionProgress.ProjectProgress]
        let hasProjects: Bool
        let listsURL = SiteURL.institutions(.proposals).path
    }

    private func progress(_ request: Request) async throws -> [InstitutionProgress.ProjectProgress] {
        let lists = try lists(request)
        return try await InstitutionProgress(sql: lists.sql, regions: lists.regions, scope: lists.scope).load()
    }

    @Sendable func progressPage(request: Request) async throws -> View {
        let projects = try await progress(request)
        return try await request.renderPage("institution-progress", ProgressPage(projects: projects, hasProjects: !projects.isEmpty))
    }

    @Sendable func apiProgress(request: Request) async throws -> [InstitutionProgress.ProjectProgress] { try await progress(request) }
}
