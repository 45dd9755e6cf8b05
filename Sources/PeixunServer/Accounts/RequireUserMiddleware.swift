import Foundation
import Vapor

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
