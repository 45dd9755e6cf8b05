import Fluent
import Foundation

/// After 5 failed logins for one account or from one address within 15 minutes, further
/// attempts are refused for 15 minutes (counted from the latest failure).
///
/// An attempt is counted before its password is checked: `reserve` writes it as a failure
/// first and only then counts, so that 40 wrong passwords sent at once cannot all pass the
/// check while bcrypt is still busy with the first. A correct password turns the reservation
/// into a success.
struct LoginThrottle {
    static let limit = 5
    static let window: TimeInterval = 15 * 60

    /// A counted attempt, to be marked as a success if it turns out to be one.
    struct Reservation: Sendable {
        let id: Int
    }

    let database: any Database
    let clock: any AppClock

    /// Counts this attempt, then refuses it when it is one too many for the account or the
    /// address. A refused attempt is not kept, so that waiting 15 minutes always helps.
    func reserve(username: String, address: String) async throws -> Reservation? {
        let now = clock.now()
        let attempt = LoginAttemptModel()
        attempt.username = username.lowercased()
        attempt.address = address
        attempt.succeeded = false
        attempt.attemptedAt = now
        try await attempt.create(on: database)
        let since = now.addingTimeInterval(-Self.window)
        // This attempt is committed before the count, so of any number of racing attempts each
        // one that passes has seen every one that passed before it: at most `limit` pass.
        let failures = LoginAttemptModel.query(on: database).filter(\.$succeeded == false).filter(\.$attemptedAt > since)
        let byAccount = try await failures.copy().filter(\.$username == attempt.username).count()
        let byAddress = try await failures.copy().filter(\.$address == address).count()
        if byAccount > Self.limit || byAddress > Self.limit {
            try await attempt.delete(on: database)
            return nil
        }
        // Old attempts say nothing any more.
        try await LoginAttemptModel.query(on: database).filter(\.$attemptedAt < now.addingTimeInterval(-24 * 3600)).delete()
        return Reservation(id: attempt.id!)
    }

    func succeeded(_ reservation: Reservation) async throws {
        try await LoginAttemptModel.query(on: database).filter(\.$id == reservation.id).set(\.$succeeded, to: true).update()
    }

    static let message = "登录失败次数过多，请15分钟后再试"
}
