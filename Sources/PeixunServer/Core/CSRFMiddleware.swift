import Vapor

/// Refuses state-changing requests from a browser session without the session's CSRF token
/// (form field `_csrf` or header `X-CSRF-Token`). Bearer-token requests are exempt.
///
/// A body is read only as far as its sender may send one: 16 KB without a signed-in user
/// (the login form), the app's 64 KB limit for other forms. Upload routes (`uploadRoute`)
/// stream their bodies to disk; only signed-in users reach them, and the token in their form
/// is checked as the form is read (`verifyDeferred`), before anything is done with the file.
struct CSRFMiddleware: Middleware {
    static let fieldName = "_csrf"
    static let anonymousBodyLimit = 16 * 1024
    static let uploadRouteKey = "peixun.upload"

    /// Future-based: reads (GET, HEAD, OPTIONS) and bearer-token calls pass without starting
    /// a task (see `SecurityHeadersMiddleware`).
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let safe: [HTTPMethod] = [.GET, .HEAD, .OPTIONS]
        guard !safe.contains(request.method), request.currentUser?.channel != .token else {
            return next.respond(to: request)
        }
        return request.eventLoop.makeFutureWithTask { try await check(request) }
            .flatMap { next.respond(to: request) }
    }

    /// Returns when the request may go on; throws the refusal otherwise.
    private func check(_ request: Request) async throws {
        // An API call without a session cookie cannot ride on a browser's login; it either
        // logs in (and receives a token in the body) or is refused as unauthenticated.
        if request.url.path.hasPrefix(SiteURL.apiPrefix), request.sessionState == nil {
            if request.currentUser == nil, request.route?.userInfo[Self.uploadRouteKey] != nil {
                throw AppError(.unauthorized, code: "unauthorized", "请先登录（POST /api/v1/session 获取访问令牌）")
            }
            return
        }
        guard let expected = request.sessionState?.csrfToken else { throw Self.refusal }
        if let header = request.headers.first(name: "X-CSRF-Token") {
            guard Self.constantTimeEqual(expected, header) else { throw Self.refusal }
            return
        }
        if request.route?.userInfo[Self.uploadRouteKey] != nil, request.headers.contentType?.type == "multipart" {
            // Only a signed-in user's upload form, whose token comes with the file.
            guard request.currentUser != nil else { throw Self.refusal }
            request.storage[DeferredTokenKey.self] = expected
            return
        }
        if request.body.data == nil {
            let limit = request.currentUser == nil ? Self.anonymousBodyLimit : request.application.routes.defaultMaxBodySize.value
            _ = try await request.body.collect(max: limit).get()
        }
        guard let presented = try? presentedToken(request), Self.constantTimeEqual(expected, presented) else { throw Self.refusal }
    }

    /// For upload routes: the token found in the streamed form, against the session's. A
    /// request that came with a valid header or a bearer token has nothing deferred.
    static func verifyDeferred(_ request: Request, presented: String?) throws {
        guard let expected = request.storage[DeferredTokenKey.self] else { return }
        guard let presented, constantTimeEqual(expected, presented) else { throw refusal }
        request.storage[DeferredTokenKey.self] = nil
    }

    static let refusal = AppError(.forbidden, code: "csrf", "页面已过期或请求来源无法确认，请刷新页面后重新提交")

    private struct DeferredTokenKey: StorageKey { typealias Value = String }

    private func presentedToken(_ request: Request) throws -> String? {
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

extension RoutesBuilder {
    /// A route whose body is an upload: streamed to `UploadStore` by the handler, never
    /// collected in memory; see `CSRFMiddleware` for how its form's token is checked.
    @discardableResult
    func upload<Response: AsyncResponseEncodable & Sendable>(_ path: [PathComponent], use handler: @Sendable @escaping (Request) async throws -> Response) -> Route {
        let route = on(.POST, path, body: .stream, use: handler)
        route.userInfo[CSRFMiddleware.uploadRouteKey] = true
        return route
    }
}
