import Foundation
import Logging
import Vapor

/// How the server writes its log: `text` (the default, for a person at a terminal) or `json`
/// (`PEIXUN_LOG_FORMAT=json`: one object per line, for a log shipper).
public enum LogFormat: String, Sendable {
    case text, json

    /// Read before the app exists (logging is set up first); a wrong value stops the start.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LogFormat {
        guard let text = environment["PEIXUN_LOG_FORMAT"], !text.isEmpty else { return .text }
        guard let format = LogFormat(rawValue: text.lowercased()) else {
            throw AppConfig.Invalid(problems: ["PEIXUN_LOG_FORMAT 应为 json 或 text，实际为 \(text)"])
        }
        return format
    }

    /// Sets up JSON logging when asked for; false leaves the choice to the caller (text).
    /// `standardError` when standard output carries a command's result (`--json`).
    static func bootstrapJSONIfAsked(_ environment: inout Vapor.Environment, standardError: Bool) throws -> Bool {
        guard try fromEnvironment() == .json else { return false }
        try LoggingSystem.bootstrap(from: &environment) { level in
            { label in JSONLogHandler(label: label, level: level, standardError: standardError) }
        }
        return true
    }
}

/// The id that ties a request's log lines together and goes back in `X-Request-Id`: the
/// caller's (nginx's `$request_id`) when it looks like an id, otherwise one made here.
enum RequestID {
    static let header = "X-Request-Id"
    static let maxLength = 128

    /// 1–128 of letters, digits and `-_.:`; anything else (spaces, quotes, control or
    /// non-ASCII characters, which would forge or break log lines) is not an id.
    static func isWellFormed(_ text: Substring.UTF8View) -> Bool {
        (1...maxLength).contains(text.count) && text.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x3A
        }
    }

    static func isWellFormed(_ text: String) -> Bool { isWellFormed(Substring(text).utf8) }

    /// Vapor already took the header (or a new UUID) as `request.id`, unchecked.
    static func of(_ request: Request) -> String {
        guard request.headers.contains(name: header) else { return request.id }
        return isWellFormed(request.id) ? request.id : UUID().uuidString
    }
}
