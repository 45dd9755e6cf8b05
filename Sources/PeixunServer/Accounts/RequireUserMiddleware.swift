import Foundation
import Vapor

/// Pages need a logged-in user (otherwise: to the login page); the API answers 401. A user
/// whose password someone else set reaches only the password change until it is changed.
struct RequireUserMiddleware: AsyncMiddleware {
    /// What a user with a temporary password may still do.
    static let allowedWithTemporaryPassword: Set<String> = ["/account/password", "/api/v1/me", "/api/v1/me/password", "/api/v1/session"]

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let user = request.currentUser else {
            if request.url.path.hasPrefix("/api/") {
                throw AppError(.unauthorized, code: "unauthorized", "请先登录（POST /api/v1/session 获取访问令牌）")
            }
            let target = request.url.path + (request.url.query.map { "?" + $0 } ?? "")
            let encoded = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"
            return request.redirect(to: "/login?next=" + encoded)
        }
        if user.mustChangePassword, !Self.allowedWithTemporaryPassword.contains(request.url.path) {
            if request.url.path.hasPrefix("/api/") {
                throw AppError(.forbidden, code: "password.change_required",
                               "您的密码是管理员设置的临时密码，请先修改密码（POST /api/v1/me/password）")
            }
            return request.redirect(to: "/account/password")
        }
        return try await next.respond(to: request)
    }
}
