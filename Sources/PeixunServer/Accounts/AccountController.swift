import Fluent
import Foundation
import PeixunCore
import Vapor

/// 修改密码 for everyone logged in, 首次登录 (activation) for teachers, and the API's
/// `GET /api/v1/me` and `DELETE /api/v1/session`.
struct AccountController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.accounts(.activate), use: activationPage)
        routes.post(.accounts(.activate), use: activate)
    }

    func bootProtected(routes: any RoutesBuilder) {
        routes.get(.accounts(.password), use: passwordPage)
        routes.post(.accounts(.password), use: changePassword)
        routes.get(.accounts(.apiMe), use: me)
        routes.post(.accounts(.apiMePassword), use: apiChangePassword)
        routes.delete(.accounts(.apiSession), use: revokeToken)
    }

    struct PasswordPage: Encodable, Sendable {
        let pageTitle = "修改密码"
        let formURL = SiteURL.accounts(.password).path
        let errors: [String]
        let done: Bool
        let hasErrors: Bool
        /// The password was set by someone else and must be replaced before anything else.
        let required: Bool

        init(errors: [String], done: Bool, required: Bool) {
            self.errors = errors
            self.done = done
            self.required = required
            hasErrors = !errors.isEmpty
        }
    }

    @Sendable func passwordPage(request: Request) async throws -> View {
        try await request.renderPage("password", PasswordPage(errors: [], done: false, required: try request.requireUser().mustChangePassword))
    }

    struct PasswordForm: Content {
        let current: String
        let password: String
        let confirm: String
    }

    @Sendable func changePassword(request: Request) async throws -> Response {
        let form = try request.content.decode(PasswordForm.self)
        let errors = try await setOwnPassword(form, request: request)
        guard errors.isEmpty else {
            let required = try request.requireUser().mustChangePassword
            let view = try await request.renderPage("password", PasswordPage(errors: errors, done: false, required: required))
            let response = try await view.encodeResponse(for: request)
            response.status = .unprocessableEntity
            return response
        }
        return try await request.renderPage("password", PasswordPage(errors: [], done: true, required: false)).encodeResponse(for: request)
    }

    /// `POST /api/v1/me/password` with `{"current", "password", "confirm"}`: 204, after which
    /// every token of the user, the one used here included, is revoked.
    @Sendable func apiChangePassword(request: Request) async throws -> HTTPStatus {
        let errors = try await setOwnPassword(try request.content.decode(PasswordForm.self), request: request)
        guard errors.isEmpty else { throw AppError(.unprocessableEntity, code: "password.invalid", errors.joined(separator: "；")) }
        return .noContent
    }

    /// Checks and stores the signed-in user's new password; the problems found, if any.
    private func setOwnPassword(_ form: PasswordForm, request: Request) async throws -> [String] {
        let current = try request.requireUser()
        guard let user = try await UserModel.find(current.id, on: request.db) else { throw AppError.notFound("用户") }
        var errors: [String] = []
        if !(try await request.password.async.verify(form.current, created: user.passwordHash)) { errors.append("当前密码不正确") }
        if form.password != form.confirm { errors.append("两次输入的新密码不一致") }
        if form.password == form.current, errors.isEmpty { errors.append("新密码不能与当前密码相同") }
        errors += PasswordPolicy.problems(password: form.password, username: user.username)
        guard errors.isEmpty else { return errors }
        let hash = try await request.password.async.hash(form.password)
        try await request.db.transaction { db in
            user.passwordHash = hash
            user.passwordChangedAt = request.clock.now()
            user.mustChangePassword = false
            try await user.update(on: db)
            // Everything signed in with the old password ends, except the page that changed it.
            try await SignIns.endAll(userID: user.id!, keepingSession: request.sessionState?.id, on: db, now: request.clock.now())
            try await AuditLog.record(on: db, actor: .init(request), action: .passwordChange, objectType: "user", objectID: String(user.id!), summary: "修改本人密码")
        }
        return []
    }

    struct MeDTO: Content {
        let id: Int
        let username: String
        let displayName: String
        let role: String
        let regionCode: String?
    }

    @Sendable func me(request: Request) async throws -> MeDTO {
        let user = try request.requireUser()
        return MeDTO(id: user.id, username: user.username, displayName: user.displayName, role: user.role.rawValue, regionCode: user.regionCode)
    }

    @Sendable func revokeToken(request: Request) async throws -> HTTPStatus {
        guard let bearer = request.headers.bearerAuthorization else {
            throw AppError.badRequest(code: "token.missing", "请在 Authorization 头中提供要注销的访问令牌")
        }
        guard let stored = try await ApiTokenModel.query(on: request.db).filter(\.$tokenHash == ApiTokenModel.hash(bearer.token)).first() else {
            throw AppError(.unauthorized, code: "token.invalid", "访问令牌无效")
        }
        try await request.db.transaction { db in
            stored.revokedAt = request.clock.now()
            try await stored.update(on: db)
            try await AuditLog.record(on: db, actor: .init(request), action: .tokenRevoke, objectType: "api_token", objectID: String(stored.id!), summary: "注销访问令牌")
        }
        return .noContent
    }

    // MARK: Teacher activation

    struct ActivationPage: Encodable, Sendable {
        let pageTitle = "教师首次登录"
        let formURL = SiteURL.accounts(.activate).path
        let csrf: String
        let name: String
        let residentID: String
        let mobile: String
        let errors: [String]
        let hasErrors: Bool

        init(csrf: String, name: String, residentID: String, mobile: String, errors: [String]) {
            self.csrf = csrf
            self.name = name
            self.residentID = residentID
            self.mobile = mobile
            self.errors = errors
            hasErrors = !errors.isEmpty
        }
    }

    @Sendable func activationPage(request: Request) async throws -> Response {
        try await request.renderFormPage("activate") { ActivationPage(csrf: $0, name: "", residentID: "", mobile: "", errors: []) }
    }

    struct ActivationForm: Content {
        let name: String
        let residentID: String
        let mobile: String
        let password: String
        let confirm: String
    }

    @Sendable func activate(request: Request) async throws -> Response {
        let form = try request.content.decode(ActivationForm.self)
        do {
            let user = try await TeacherActivation(request: request).activate(form)
            let response = request.redirect(to: SiteURL.home.path)
            try await Sessions.start(userID: user.id, on: request, response: response)
            return response
        } catch let refusal as TeacherActivation.Refusal {
            return try await request.renderFormPage("activate", status: refusal.status) {
                ActivationPage(csrf: $0, name: form.name, residentID: form.residentID, mobile: form.mobile, errors: refusal.messages)
            }
        }
    }
}
