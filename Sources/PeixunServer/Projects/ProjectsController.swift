import PeixunCore
import Vapor

/// 合作项目: everyone on staff sees the list; the province adds projects (web and API).
struct ProjectsController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.projects(.page()), use: page)
        routes.post(.projects(.page()), use: addForm)
        routes.get(.projects(.api), use: apiList)
        routes.post(.projects(.api), use: apiAdd)
    }

    private func catalogue(_ request: Request) throws -> ProjectCatalogue {
        let user = try request.requireUser()
        guard [.province, .city, .county].contains(user.role) else { throw AppError.notFound() }
        return ProjectCatalogue(database: request.db, regions: request.application.regions, user: user, actor: .init(request))
    }

    /// What the form posts; years arrive as text so that an empty field is named, not a 400.
    struct DraftInput: Content {
        var name: String?
        var organiser: String?
        var startYear: String?
        var endYear: String?
        var pilotRegions: String?

        var draft: CooperationProjectDraft {
            CooperationProjectDraft(name: name ?? "", organiser: organiser ?? "", startYear: startYear.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) },
                                    endYear: endYear.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }, pilotRegions: pilotRegions ?? "")
        }
    }

    /// The API takes numbers for the years and a list of regions.
    struct APIInput: Content {
        let name: String?
        let organiser: String?
        let startYear: Int?
        let endYear: Int?
        let pilotRegions: [String]?
    }

    struct Page: Encodable, Sendable {
        let pageTitle = "合作项目"
        let projects: [ProjectCatalogue.ProjectDTO]
        let mayAdd: Bool
        let form: DraftInput
        let issues: [RowIssue]
        let hasIssues: Bool
        let added: String?
        let batchesURL = SiteURL.integration(.batches).path
        let formURL = SiteURL.projects(.page()).path
    }

    private func render(_ request: Request, form: DraftInput = .init(), issues: [RowIssue] = [], status: HTTPResponseStatus = .ok) async throws -> Response {
        let catalogue = try catalogue(request)
        let page = Page(projects: try await catalogue.cooperationProjects(), mayAdd: catalogue.user.isTopOffice, form: form,
                        issues: issues, hasIssues: !issues.isEmpty, added: try? request.query.get(String.self, at: "added"))
        return try await request.renderPage("projects", page).encodeResponse(status: status, for: request)
    }

    @Sendable func page(request: Request) async throws -> Response {
        try await render(request)
    }

    @Sendable func addForm(request: Request) async throws -> Response {
        let input = try request.content.decode(DraftInput.self)
        do {
            let project = try await catalogue(request).add(input.draft)
            return request.redirect(to: SiteURL.projects(.page(added: project.name)).path, redirectType: .normal)
        } catch let refusal as InputRefusal {
            return try await render(request, form: input, issues: refusal.issues, status: .unprocessableEntity)
        }
    }

    @Sendable func apiList(request: Request) async throws -> [ProjectCatalogue.ProjectDTO] {
        try await catalogue(request).cooperationProjects()
    }

    @Sendable func apiAdd(request: Request) async throws -> Response {
        let input = try request.content.decode(APIInput.self)
        let draft = CooperationProjectDraft(name: input.name ?? "", organiser: input.organiser ?? "", startYear: input.startYear,
                                            endYear: input.endYear, pilotRegions: (input.pilotRegions ?? []).joined(separator: "、"))
        return try await catalogue(request).add(draft).encodeResponse(status: .created, for: request)
    }
}
