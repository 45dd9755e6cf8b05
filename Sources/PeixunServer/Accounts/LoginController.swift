import Fluent
import Foundation
import PeixunCore
import Vapor

/// 登录 / 退出 / 修改密码, and the API's session tokens.
struct LoginController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.accounts(.login()), use: loginPage)
        routes.post(.accounts(.login()), use: login)
        routes.post(.accounts(.logout), use: logout)
        routes.post(.accounts(.apiSession), use: apiLogin)
    }

    struct LoginPage: Encodable, Sendable {
        let pageTitle = "登录"
        let formURL = SiteURL.accounts(.login()).path
        let activateURL = SiteURL.accounts(.activate).path
        let csrf: String
        let next: String
        let username: String
        let error: String?
    }

    @Sendable func loginPage(request: Request) async throws -> Response {
        let next = Self.safeNext(try? request.query.get(String.self, at: "next"))
        if request.currentUser != nil { return request.redirect(to: next) }
        return try await request.renderFormPage("login") { LoginPage(csrf: $0, next: next, username: "", error: nil) }
    }

    struct LoginForm: Content {
        let username: String
        let password: String
        let next: String?
    }

    @Sendable func login(request: Request) async throws -> Response {
        let form = try request.content.decode(LoginForm.self)
        let next = Self.safeNext(form.next)
        do {
            let user = try await Authenticator.verify(username: form.username, password: form.password, on: request)
            let response = request.redirect(to: next)
            try await Sessions.start(userID: user.id, on: request, response: response)
            return response
        } catch let error as AppError where error.code.hasPrefix("login.") {
            return try await request.renderFormPage("login", status: error.status) {
                LoginPage(csrf: $0, next: next, username: form.username, error: error.reason)
            }
        }
    }

    @Sendable func logout(request: Request) async throws -> Response {
        let response = request.redirect(to: SiteURL.accounts(.login()).path)
        if let user = request.currentUser {
            try await AuditLog.record(on: request.db, actor: .init(request), action: .logout, objectType: "user", objectID: String(user.id), summary: "\(user.username) 退出")
        }
        try await Sessions.end(on: request, response: response)
        return response
    }

    struct TokenRequest: Content {
        let username: String
        let password: String
    }

    struct TokenResponse: Content {
        let token: String
        let expiresAt: Date
    }

    @Sendable func apiLogin(request: Request) async throws -> TokenResponse {
        let body = try request.content.decode(TokenRequest.self)
        let user = try await Authenticator.verify(username: body.username, password: body.password, on: request)
        let token = ApiTokenModel.generateToken()
        let stored = ApiTokenModel()
        stored.userID = user.id!
        stored.tokenHash = ApiTokenModel.hash(token)
        stored.expiresAt = request.clock.now().addingTimeInterval(request.application.config.tokenLifetime)
        try await request.db.transaction { db in
            try await stored.create(on: db)
            try await AuditLog.record(on: db, actor: .init(userID: user.id, username: user.username, address: request.clientAddress),
                                      action: .tokenIssue, objectType: "api_token", objectID: String(stored.id!), summary: "签发访问令牌")
        }
        return TokenResponse(token: token, expiresAt: stored.expiresAt)
    }

    /// Only a path on this site, so that `next` cannot send a user elsewhere. Browsers drop tabs
    /// and line breaks from a `Location` and read `\\` as `/`, so `/\t/evil.example` would
    /// become `//evil.example`: any control character, space, backslash or `//` sends the user home.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.utf8.count <= 2_000, next.utf8.first == UInt8(ascii: "/"), !next.contains("//"),
              next.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && $0 != "\\" && !(0x80...0x9F).contains($0.value)
                  && !$0.properties.isWhitespace && $0.properties.generalCategory != .format })
        else { return SiteURL.home.path }
        return next
    }
}

/// Checks a username and password with throttling and auditing; shared by the login form,
/// the API and teacher logins (whose username is their resident ID).
enum Authenticator {
    /// Verified against when the user does not exist, so that timing does not tell.
    static let decoyHash: String = (try? Bcrypt.hash("peixun-decoy-password", cost: 12)) ?? ""

    static func verify(username rawUsername: String, password: String, on request: Request) async throws -> UserModel {
        let trimmed = rawUsername.trimmingCharacters(in: .whitespaces)
        let username = (try? ResidentID.parse(trimmed, today: request.clock.today()))?.id.value ?? trimmed
        let address = request.clientAddress
        let throttle = LoginThrottle(database: request.db, clock: request.clock)
        guard let reservation = try await throttle.reserve(username: username, address: address) else {
            throw AppError(.tooManyRequests, code: "login.throttled", LoginThrottle.message)
        }
        let user = try await UserModel.query(on: request.db).filter(\.$username == username).first()
        let matches = try await request.password.async.verify(password, created: user?.passwordHash ?? decoyHash)
        guard let user, matches, !user.disabled else {
            let region = AuditLog.regionColumns(user?.regionCode, directory: request.application.regions)
            try await request.db.transaction { db in
                try await AuditLog.record(on: db, actor: .init(userID: user?.id, username: username, address: address),
                                          action: .loginFailure, objectType: "user", objectID: user?.id.map(String.init),
                                          countyCode: region.county, cityCode: region.city, summary: user?.disabled == true ? "账户已停用" : "用户名或密码错误")
            }
            if user?.disabled == true, matches {
                throw AppError(.unauthorized, code: "login.disabled", "该账户已停用，请联系上级管理员")
            }
            throw AppError(.unauthorized, code: "login.failed", "用户名或密码错误")
        }
        let region = AuditLog.regionColumns(user.regionCode, directory: request.application.regions)
        try await request.db.transaction { db in
            try await LoginThrottle(database: db, clock: request.clock).succeeded(reservation)
            try await AuditLog.record(on: db, actor: .init(userID: user.id, username: user.username, address: address),
                                      action: .login, objectType: "user", objectID: String(user.id!),
                                      countyCode: region.county, cityCode: region.city, summary: "登录成功")
        }
        return user
    }
}
