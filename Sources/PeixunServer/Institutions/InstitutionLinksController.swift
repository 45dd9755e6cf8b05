import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

/// 培训机构与项目: the province links institution accounts to the cooperation projects they run
/// (`institution_projects`, which `ProjectScope` reads) and unlinks them; each change goes
/// through `InstitutionProjects.assign`, audited with before and after.
struct InstitutionLinksController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.institutions(.links), use: page)
        routes.post(.institutions(.link(.key))) { try await self.change($0, link: true, api: false) }
        routes.post(.institutions(.unlink(.key))) { try await self.change($0, link: false, api: false) }
        routes.get(.institutions(.apiLinks), use: apiList)
        routes.post(.institutions(.apiLink(.key))) { try await self.change($0, link: true, api: true) }
        routes.post(.institutions(.apiUnlink(.key))) { try await self.change($0, link: false, api: true) }
    }

    struct ProjectDTO: Content {
        let id: Int
        let name: String
        let years: String
        let organiser: String
    }

    struct InstitutionDTO: Content {
        let userID: Int
        let username: String
        let displayName: String
        let disabled: Bool
        let projects: [ProjectDTO]
    }

    private func requireProvince(_ request: Request) throws {
        guard try request.requireUser().isTopOffice else { throw AppError.notFound() }
    }

    private func cooperationProjects(_ db: any Database) async throws -> [ProjectDTO] {
        try await ProjectModel.query(on: db).filter(\.$level == TrainingLevel.cooperation.rawValue).sort(\.$id).all()
            .map { ProjectDTO(id: $0.id!, name: $0.name, years: "\($0.year)–\($0.endYear)", organiser: $0.organiser) }
    }

    private func institutions(_ request: Request) async throws -> [InstitutionDTO] {
        let projects = Dictionary(uniqueKeysWithValues: try await cooperationProjects(request.db).map { ($0.id, $0) })
        struct Link: Decodable { let user_id: Int; let project_id: Int }
        let links = try await request.sql.raw("SELECT user_id, project_id FROM institution_projects ORDER BY project_id").all(decoding: Link.self)
        let byUser = Dictionary(grouping: links, by: \.user_id)
        return try await UserModel.query(on: request.db).filter(\.$role == Role.institution.rawValue).sort(\.$username).all().map { user in
            InstitutionDTO(userID: user.id!, username: user.username, displayName: user.displayName, disabled: user.disabled,
                           projects: (byUser[user.id!] ?? []).compactMap { projects[$0.project_id] })
        }
    }

    @Sendable func apiList(request: Request) async throws -> [InstitutionDTO] {
        try requireProvince(request)
        return try await institutions(request)
    }

    struct Row: Encodable, Sendable {
        struct Linked: Encodable, Sendable {
            let project: ProjectDTO
            let confirm: String
        }

        let institution: InstitutionDTO
        let linked: [Linked]
        let available: [ProjectDTO]
        let linkURL: String
        let unlinkURL: String
    }

    struct Page: Encodable, Sendable {
        let pageTitle = "培训机构与项目"
        let rows: [Row]
        let hasRows: Bool
        let notice: String?
        let usersURL = SiteURL.accounts(.users).path
    }

    struct PageQuery: Decodable { var notice: String? }

    @Sendable func page(request: Request) async throws -> View {
        try requireProvince(request)
        let all = try await cooperationProjects(request.db)
        let rows = try await institutions(request).map { institution in
            let linked = Set(institution.projects.map(\.id))
            return Row(institution: institution,
                       linked: institution.projects.map {
                           .init(project: $0, confirm: "解除 \(institution.displayName) 与“\($0.name)”的关联？解除后该机构不能再上报此项目的名单、查看其核实进度或为其学员出具补发情况说明。")
                       },
                       available: all.filter { !linked.contains($0.id) },
                       linkURL: SiteURL.institutions(.link(.value(institution.userID))).path,
                       unlinkURL: SiteURL.institutions(.unlink(.value(institution.userID))).path)
        }
        return try await request.renderPage("institution-links", Page(rows: rows, hasRows: !rows.isEmpty,
                                                                      notice: try request.query.decode(PageQuery.self).notice.map { String($0.prefix(200)) }))
    }

    struct ChangeInput: Content { var projectID: Int? }

    private func change(_ request: Request, link: Bool, api: Bool) async throws -> Response {
        try requireProvince(request)
        guard let id = request.parameters.get(.userID, as: Int.self), let account = try await UserModel.find(id, on: request.db),
              account.roleValue == .institution else { throw AppError.notFound("培训机构账户") }
        guard let projectID = try request.content.decode(ChangeInput.self).projectID,
              let project = try await ProjectModel.find(projectID, on: request.db), project.level == TrainingLevel.cooperation.rawValue
        else { throw AppError(.unprocessableEntity, code: "project.invalid", "请选择一个合作项目") }
        var projects = try await InstitutionProjects.projects(of: id, on: request.sql)
        if link {
            guard !projects.contains(projectID) else {
                throw AppError(.conflict, code: "link.exists", "\(account.displayName) 已关联“\(project.name)”")
            }
            projects.append(projectID)
        } else {
            guard projects.contains(projectID) else {
                throw AppError(.conflict, code: "link.missing", "\(account.displayName) 未关联“\(project.name)”，无需解除")
            }
            projects.removeAll { $0 == projectID }
        }
        try await InstitutionProjects.assign(projects, to: account, actor: AuditLog.Actor(request), on: request.db)
        if api {
            guard let dto = try await institutions(request).first(where: { $0.userID == id }) else { throw AppError.notFound("培训机构账户") }
            return try await dto.encodeResponse(for: request)
        }
        let notice = link ? "已关联 \(account.displayName) 与“\(project.name)”" : "已解除 \(account.displayName) 与“\(project.name)”的关联"
        return request.redirect(to: SiteURL.institutions(.links).path(adding: [URLQueryItem(name: "notice", value: notice)]), redirectType: .normal)
    }
}
