import Fluent
import Foundation
import PeixunCore
import Vapor

/// 用户管理: a user creates, disables and resets the users strictly below its own scope.
struct UsersController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.accounts(.users), use: list)
        routes.get(.accounts(.newUser), use: newForm)
        routes.post(.accounts(.users), use: create)
        routes.get(.accounts(.apiUsers), use: apiList)
        routes.post(.accounts(.apiUsers), use: apiCreate)
        for (change, handler) in [(SiteURL.Accounts.Change.disable, disable), (.enable, enable), (.resetPassword, resetPassword)] {
            routes.post(.accounts(.user(.key, change)), use: handler)
            routes.post(.accounts(.apiUser(.key, change)), use: handler)
        }
        routes.post(.accounts(.resetTeacherPassword(.key)), use: resetTeacherPassword)
    }

    struct UserRow: Content {
        let id: Int
        let username: String
        let displayName: String
        let role: String
        let roleLabel: String
        let regionCode: String?
        let regionName: String?
        let disabled: Bool
    }

    private func row(_ user: UserModel, regions: RegionDirectory) -> UserRow {
        UserRow(id: user.id!, username: user.username, displayName: user.displayName, role: user.role,
                roleLabel: user.roleValue.label, regionCode: user.regionCode,
                regionName: user.regionCode.flatMap { regions.region(code: $0)?.name }, disabled: user.disabled)
    }

    private func directory(_ request: Request) throws -> UserDirectory {
        let actor = try request.requireUser()
        guard !AccountPolicy.creatableRoles(by: .init(role: actor.role, regionCode: actor.regionCode), in: request.application.regions).isEmpty else {
            throw AppError.notFound()
        }
        return UserDirectory(request: request, actor: actor)
    }

    /// Where a user's row posts to.
    struct RowLinks: Encodable, Sendable {
        let enableURL: String
        let disableURL: String
        let resetPasswordURL: String

        init(userID: Int) {
            enableURL = SiteURL.accounts(.user(.value(userID), .enable)).path
            disableURL = SiteURL.accounts(.user(.value(userID), .disable)).path
            resetPasswordURL = SiteURL.accounts(.user(.value(userID), .resetPassword)).path
        }
    }

    struct ListPage: Encodable, Sendable {
        let pageTitle = "用户管理"
        let newUserURL = SiteURL.accounts(.newUser).path
        let users: [Linked<UserRow, RowLinks>]
        let notice: String?
        let oneTimePassword: String?
        let oneTimeUser: String?
        let hasUsers: Bool

        init(users: [UserRow], notice: String?, oneTimePassword: String?, oneTimeUser: String?) {
            self.users = users.map { Linked($0, RowLinks(userID: $0.id)) }
            self.notice = notice
            self.oneTimePassword = oneTimePassword
            self.oneTimeUser = oneTimeUser
            hasUsers = !users.isEmpty
        }
    }

    @Sendable func list(request: Request) async throws -> View {
        let users = try directory(request)
        let rows = try await users.visibleUsers().map { row($0, regions: request.application.regions) }
        return try await request.renderPage("users", ListPage(users: rows, notice: nil, oneTimePassword: nil, oneTimeUser: nil))
    }

    struct NewPage: Encodable, Sendable {
        struct Option: Encodable, Sendable { let value: String; let label: String }
        let pageTitle = "新建用户"
        let roles: [Option]
        let regions: [Option]
        let error: String?
        let form: [String: String]
        let formURL = SiteURL.accounts(.users).path
    }

    private func newPage(_ request: Request, error: String?, form: [String: String]) throws -> NewPage {
        let users = try directory(request)
        let regions = request.application.regions
        let roles = AccountPolicy.creatableRoles(by: users.policyActor, in: users.regions).map { NewPage.Option(value: $0.rawValue, label: $0.label) }
        let root = users.actor.scope.root(in: regions) ?? regions.province.code
        var options: [NewPage.Option] = []
        func add(_ region: Region, depth: Int) {
            options.append(.init(value: region.code, label: String(repeating: "　", count: depth) + region.name + "（\(region.code)）"))
            for child in regions.children(of: region.code) { add(child, depth: depth + 1) }
        }
        if let top = regions.region(code: root) { add(top, depth: 0) }
        return NewPage(roles: roles, regions: options, error: error, form: form)
    }

    @Sendable func newForm(request: Request) async throws -> View {
        try await request.renderPage("user-new", try newPage(request, error: nil, form: [:]))
    }

    @Sendable func create(request: Request) async throws -> Response {
        let users = try directory(request)
        let input = try request.content.decode(UserDirectory.NewUser.self)
        do {
            let created = try await users.create(input)
            let rows = try await users.visibleUsers().map { row($0, regions: request.application.regions) }
            let page = ListPage(users: rows, notice: "已新建账户 \(created.user.username)", oneTimePassword: created.generatedPassword, oneTimeUser: created.user.username)
            return try await request.renderPage("users", page).encodeResponse(status: .created, for: request)
        } catch let error as AppError where error.status != .notFound {
            let form = ["role": input.role, "username": input.username, "displayName": input.displayName, "regionCode": input.regionCode ?? ""]
            return try await request.renderPage("user-new", try newPage(request, error: error.reason, form: form))
                .encodeResponse(status: error.status, for: request)
        }
    }

    @Sendable func disable(request: Request) async throws -> Response {
        let user = try await directory(request).setDisabled(try userID(request), disabled: true)
        return try await listWithNotice(request, "已停用账户 \(user.username)")
    }

    @Sendable func enable(request: Request) async throws -> Response {
        let user = try await directory(request).setDisabled(try userID(request), disabled: false)
        return try await listWithNotice(request, "已启用账户 \(user.username)")
    }

    @Sendable func resetPassword(request: Request) async throws -> Response {
        let (user, password) = try await directory(request).resetPassword(try userID(request))
        if request.url.path.hasPrefix(SiteURL.apiPrefix) {
            return try await ["username": user.username, "password": password].encodeResponse(for: request)
        }
        return try await listWithNotice(request, "已重置 \(user.username) 的密码", password: password, user: user.username)
    }

    /// A county resets the password of one of its teachers (who then logs in with it).
    @Sendable func resetTeacherPassword(request: Request) async throws -> Response {
        let actor = try request.requireUser()
        guard actor.role == .county || actor.role == .city || actor.role == .province,
              let teacherID = request.parameters.get(.teacherID, as: Int.self) else { throw AppError.notFound("教师") }
        guard let teacher = try await TeacherModel.query(on: request.db).filter(\.$id == teacherID)
            .scoped(to: actor.scope).first() else { throw AppError.notFound("教师") }
        guard let user = try await UserModel.query(on: request.db).filter(\.$teacherID == teacher.id).first() else {
            throw AppError(.conflict, code: "teacher.not_activated", "该教师尚未激活账户，请让教师通过“教师首次登录”用手机号激活")
        }
        let password = try await UserDirectory.resetPassword(of: user, request: request)
        if request.url.path.hasPrefix(SiteURL.apiPrefix) || request.headers.accept.mediaTypes.contains(.json) {
            return try await ["username": user.username, "password": password].encodeResponse(for: request)
        }
        let page = ResetDone(teacherName: teacher.name, username: ResidentID(canonical: user.username)?.masked ?? user.username, password: password)
        return try await request.renderPage("teacher-reset", page).encodeResponse(for: request)
    }

    struct ResetDone: Encodable, Sendable {
        let pageTitle = "已重置教师密码"
        let teacherName: String
        let username: String
        let password: String
    }

    @Sendable func apiList(request: Request) async throws -> [UserRow] {
        try await directory(request).visibleUsers().map { row($0, regions: request.application.regions) }
    }

    struct CreatedDTO: Content {
        let user: UserRow
        let password: String?
    }

    @Sendable func apiCreate(request: Request) async throws -> Response {
        let created = try await directory(request).create(try request.content.decode(UserDirectory.NewUser.self))
        return try await CreatedDTO(user: row(created.user, regions: request.application.regions), password: created.generatedPassword)
            .encodeResponse(status: .created, for: request)
    }

    private func userID(_ request: Request) throws -> Int {
        guard let id = request.parameters.get(.userID, as: Int.self) else { throw AppError.notFound("用户") }
        return id
    }

    private func listWithNotice(_ request: Request, _ notice: String, password: String? = nil, user: String? = nil) async throws -> Response {
        if request.url.path.hasPrefix(SiteURL.apiPrefix) { return Response(status: .noContent) }
        let rows = try await directory(request).visibleUsers().map { row($0, regions: request.application.regions) }
        return try await request.renderPage("users", ListPage(users: rows, notice: notice, oneTimePassword: password, oneTimeUser: user))
            .encodeResponse(for: request)
    }
}
