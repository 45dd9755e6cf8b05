import PeixunCore
import Vapor

/// Renders every error: JSON `{"error":{"code","message"}}` under `/api`, an HTML page
/// elsewhere. Internal errors are logged in full and shown only as a generic sentence.
struct ErrorRenderingMiddleware: Middleware {
    struct ErrorBody: Content {
        struct Detail: Content {
            let code: String
            let message: String
            /// For refused input: each problem with its field.
            var issues: [RowIssue]? = nil
        }
        let error: Detail
    }

    struct ErrorPage: Encodable, Sendable {
        var pageTitle: String { title }
        let title: String
        let status: Int
        let message: String
    }

    /// Future-based so that a request that succeeds costs no task (see `SecurityHeadersMiddleware`).
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMapError { error in
            request.eventLoop.makeFutureWithTask { try await render(error, for: request) }
        }
    }

    private func render(_ error: any Error, for request: Request) async throws -> Response {
        let (status, code, message) = describe(error, request: request)
        if request.url.path.hasPrefix(SiteURL.apiPrefix) {
            let response = Response(status: status)
            try response.content.encode(ErrorBody(error: .init(code: code, message: message, issues: (error as? InputRefusal)?.issues)))
            return response
        }
        let view = try await request.renderPage("error", ErrorPage(title: "出错了", status: Int(status.code), message: message))
        let response = try await view.encodeResponse(for: request)
        response.status = status
        return response
    }

    private func describe(_ error: any Error, request: Request) -> (HTTPResponseStatus, String, String) {
        switch error {
        case let error as AppError:
            return (error.status, error.code, error.reason)
        case let refusal as InputRefusal:
            return (.unprocessableEntity, refusal.code, refusal.message)
        case let error as any AbortError where error.status == .notFound:
            return (.notFound, "not_found", "页面不存在")
        case let error as any AbortError where error.status.code < 500:
            return (error.status, "bad_request", "请求有误：\(error.reason)")
        default:
            request.logger.report(error: error)
            return (.internalServerError, "internal", "系统内部错误，请稍后再试；如果问题持续，请联系技术支持")
        }
    }
}
