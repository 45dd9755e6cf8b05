import Fluent
import Foundation

/// After 5 failed logins for one account or from one address within 15 minutes, further
/// attempts are refused for 15 minutes (counted from the latest failure).
struct LoginThrottle {
    static let limit = 5
    static let window: TimeInterval = 15 * 60

    let database: any Database

    func isBlocked(username: String, address: String, now: Date = Date()) async throws -> Bool {
        let since = now.addingTimeInterval(-Self.window)
        let byAccount = try await LoginAttemptModel.query(on: database)
            .filter(\.$username == username.lowercased()).filter(\.$succeeded == false)
            .filter(\.$attemptedAt > since).count()
        if byAccount >= Self.limit { return true }
        let byAddress = try await LoginAttemptModel.query(on: database)
            .filter(\.$address == address).filter(\.$succeeded == false)
            .filter(\.$attemptedAt > since).count()
        return byAddress >= Self.limit
    }

    func record(username: String, address: String, succeeded: Bool, now: Date = Date()) async throws {
        let attempt = LoginAttemptModel()
        attempt.username = username.lowercased()
        attempt.address = address
        attempt.succeeded = succeeded
        attempt.attemptedAt = now
        try await attempt.create(on: database)
        // Old attempts say nothing any more.
        try await LoginAttemptModel.query(on: database).filter(\.$attemptedAt < now.addingTimeInterval(-24 * 3600)).delete()
    }

    static let message = "登录失败次数过多，请15分钟后再试"
}
