import Foundation
import Vapor

/// Pages need a logged-in user (otherwise: to the login page); the API answers 401. A user
/// whose password someone else set reaches only the password change until it is changed.
struct RequireUserMiddleware: Middleware {
    /// What a user with a temporary password may still do.
    static let allowedWithTemporaryPassword: Set<String> = Set([SiteURL.Accounts.password, .apiMe, .apiMePassword, .apiSession].map { SiteURL.accounts($0).path })

    /// Future-based and without a task: it only reads what the session or token middleware found.
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard let user = request.currentUser else {
            if request.url.path.hasPrefix(SiteURL.apiPrefix) {
                return request.eventLoop.makeFailedFuture(
                    AppError(.unauthorized, code: "unauthorized", "请先登录（POST /api/v1/session 获取访问令牌）"))
            }
            let target = request.url.path + (request.url.query.map { "?" + $0 } ?? "")
            return request.eventLoop.makeSucceededFuture(request.redirect(to: SiteURL.accounts(.login(next: target)).path))
        }
        if user.mustChangePassword, !Self.allowedWithTemporaryPassword.contains(request.url.path) {
            if request.url.path.hasPrefix(SiteURL.apiPrefix) {
                return request.eventLoop.makeFailedFuture(AppError(
                    .forbidden, code: "password.change_required",
                    "您的密码是管理员设置的临时密码，请先修改密码（POST /api/v1/me/password）"))
            }
            return request.eventLoop.makeSucceededFuture(request.redirect(to: SiteURL.accounts(.password).path))
        }
        return next.respond(to: request)
    }
}
