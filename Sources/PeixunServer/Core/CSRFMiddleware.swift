import Vapor

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
        guard let expected = request.sessionState?.csrfToken else {
            throw AppError(.forbidden, code: "csrf", "页面已过期或请求来源无法确认，请刷新页面后重新提交")
        }
        // Route middleware runs before a route collects its body, and a big upload arrives in
        // many pieces: collect it here (up to the upload limit for multipart forms, which only
        // the upload pages send) so that the token in the form is seen.
        if request.headers.first(name: "X-CSRF-Token") == nil, request.body.data == nil {
            let limit = request.headers.contentType?.type == "multipart" ? ImportController.maxUpload : request.application.routes.defaultMaxBodySize
            _ = try await request.body.collect(max: limit.value).get()
        }
        guard let presented = try? presentedToken(request),
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
