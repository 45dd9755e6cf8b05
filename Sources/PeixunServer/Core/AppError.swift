import Vapor

/// The one error type handlers throw. `reason` is the Chinese sentence the user reads;
/// `code` is stable for API clients.
public struct AppError: AbortError, Sendable {
    public let status: HTTPResponseStatus
    public let code: String
    public let reason: String

    public init(_ status: HTTPResponseStatus, code: String, _ reason: String) {
        self.status = status
        self.code = code
        self.reason = reason
    }

    public static func notFound(_ what: String = "页面") -> AppError {
        AppError(.notFound, code: "not_found", "\(what)不存在")
    }

    public static func badRequest(code: String, _ reason: String) -> AppError {
        AppError(.badRequest, code: code, reason)
    }
}
