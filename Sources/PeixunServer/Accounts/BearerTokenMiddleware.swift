import Fluent
import Foundation
import Vapor

/// `Authorization: Bearer …` for API clients: a live, unrevoked token makes its user the
/// request's user. Such requests carry no cookies, so they need no CSRF token.
struct BearerTokenMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // `/metrics` takes its own token (PEIXUN_METRICS_TOKEN), not a user's.
        if let bearer = request.headers.bearerAuthorization, !MetricsAccess.isMetricsRoute(request) {
            guard let user = try await Self.user(forToken: bearer.token, on: request.db, now: request.clock.now()) else {
                throw AppError(.unauthorized, code: "token.invalid", "访问令牌无效、已过期或已注销，请重新登录")
            }
            request.currentUser = try CurrentUser(user, channel: .token)
        }
        return try await next.respond(to: request)
    }

    static func user(forToken token: String, on database: any Database, now: Date) async throws -> UserModel? {
        guard let stored = try await ApiTokenModel.query(on: database)
            .filter(\.$tokenHash == ApiTokenModel.hash(token))
            .filter(\.$revokedAt == nil)
            .filter(\.$expiresAt > now)
            .first() else { return nil }
        guard let user = try await UserModel.find(stored.userID, on: database), !user.disabled else { return nil }
        return user
    }
}
