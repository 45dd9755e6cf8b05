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

extension RawRepresentable where RawValue == String {
    /// A typed value read from the database; an unknown one is a 500 naming the table and row
    /// (a failed migration or a hand edit), logged in full, never a silent default.
    static func read(_ stored: String, table: String, row: Int?, column: String) throws -> Self {
        do {
            return try Self(stored: stored, at: "\(table) 表第 \(row.map(String.init) ?? "?") 行的 \(column)")
        } catch {
            throw AppError(.internalServerError, code: "data.invalid_value", error.description)
        }
    }
}
