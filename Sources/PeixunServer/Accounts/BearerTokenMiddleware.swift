import Fluent
import Foundation
import Vapor

/// `Authorization: Bearer …` for API clients: a live, unrevoked token makes its user the
/// request's user. Such requests carry no cookies, so they need no CSRF token.
struct BearerTokenMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let bearer = request.headers.bearerAuthorization {
            guard let user = try await Self.user(forToken: bearer.token, on: request.db) else {
                throw AppError(.unauthorized, code: "token.invalid", "访问令牌无效、已过期或已注销，请重新登录")
            }
            request.currentUser = CurrentUser(user, channel: .token)
        }
        return try await next.respond(to: request)
    }

    static func user(forToken token: String, on database: any Database) async throws -> UserModel? {
        guard let stored = try await ApiTokenModel.query(on: database)
            .filter(\.$tokenHash == ApiTokenModel.hash(token))
            .filter(\.$revokedAt == nil)
            .filter(\.$expiresAt > Date())
            .first() else { return nil }
        guard let user = try await UserModel.find(stored.userID, on: database), !user.disabled else { return nil }
        return user
    }
}

/// Refuses state-changing requests from a browser session without the session's CSRF token
/// (form field `_csrf` or header `X-CSRF-Token`). Bearer-token requests are exempt.
struct CSRFMiddleware: AsyncMiddleware {
    static let fieldName = "_csrf"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let safe: [HTTPMethod] = [.GET, .HEAD, .OPTIONS]
        guard !safe.contains(request.method), request.currentUser?.channel != .token else {
            return try await next.respond(to: request)
        }
        // An API call without a session cookie cannot ride on a browser's login; it either
        // logs in (and receives a token in the body) or is refused as unauthenticated.
        if request.url.path.hasPrefix("/api/"), request.sessionState == nil {
            return try await next.respond(to: request)
        }
        guard let expected = request.sessionState?.csrfToken, let presented = try? presentedToken(request),
              Self.constantTimeEqual(expected, presented) else {
            throw AppError(.forbidden, code: "csrf", "页面已过期或请求来源无法确认，请刷新页面后重新提交")
        }
        return try await next.respond(to: request)
    }

    private func presentedToken(_ request: Request) throws -> String? {
        if let header = request.headers.first(name: "X-CSRF-Token") { return header }
        struct Form: Decodable { let _csrf: String? }
        return try request.content.decode(Form.self)._csrf
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

/// Pages need a logged-in user (otherwise: to the login page); the API answers 401.
struct RequireUserMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.currentUser != nil else {
            if request.url.path.hasPrefix("/api/") {
                throw AppError(.unauthorized, code: "unauthorized", "请先登录（POST /api/v1/session 获取访问令牌）")
            }
            let target = request.url.path + (request.url.query.map { "?" + $0 } ?? "")
            let encoded = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"
            return request.redirect(to: "/login?next=" + encoded)
        }
        return try await next.respond(to: request)
    }
}

/// Headers every response carries.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        if request.url.path.hasPrefix("/api/") || request.currentUser != nil {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return response
    }
}
