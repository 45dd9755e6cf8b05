import Fluent
import Foundation
import Vapor

/// `Authorization: Bearer …` for API clients: a live, unrevoked token makes its user the
/// request's user. Such requests carry no cookies, so they need no CSRF token.
struct BearerTokenMiddleware: Middleware {
    /// Future-based: a request without the header passes without starting a task.
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        // `/metrics` takes its own token (PEIXUN_METRICS_TOKEN), not a user's.
        guard let bearer = request.headers.bearerAuthorization, !MetricsAccess.isMetricsRoute(request) else {
            return next.respond(to: request)
        }
        return request.eventLoop.makeFutureWithTask {
            guard let user = try await SignedInLookup.tokenUser(token: bearer.token, now: request.clock.now(), regions: request.application.regions, on: request.sql) else {
                throw AppError(.unauthorized, code: "token.invalid", "访问令牌无效、已过期或已注销，请重新登录")
            }
            request.currentUser = user
        }.flatMap { next.respond(to: request) }
    }
}
