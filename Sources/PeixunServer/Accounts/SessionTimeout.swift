import Fluent
import Foundation
import Vapor

/// The idle-timeout warning's server side. The page carries the seconds its session has left
/// (`data-session-expires-in` on <body>); `/js/session-timeout.js` warns `warnBefore` seconds
/// before the end, asks `/api/v1/session/status` first (another tab may have used the session;
/// asking does not extend it) and 保持登录 posts to `/session/keep-alive`, which does.
/// Without JavaScript nothing is shown and nothing changes.
struct SessionTimeoutController {
    /// How long before the end the warning shows.
    static let warnBefore = 5 * 60

    func boot(routes: any RoutesBuilder) {
        routes.get(.session(.status), use: status)
        routes.post(.session(.keepAlive), use: keepAlive)
    }

    struct StatusDTO: Content {
        let signedIn: Bool
        /// Seconds until the session ends if it is not used; 0 when there is none.
        let expiresIn: Int
        let warnBefore: Int
    }

    static func secondsLeft(_ request: Request) -> Int? {
        guard request.currentUser?.channel == .session, let expiresAt = request.sessionState?.expiresAt else { return nil }
        return max(0, Int(expiresAt.timeIntervalSince(request.clock.now()).rounded(.down)))
    }

    @Sendable func status(request: Request) async throws -> StatusDTO {
        let left = Self.secondsLeft(request)
        return StatusDTO(signedIn: left != nil, expiresIn: left ?? 0, warnBefore: Self.warnBefore)
    }

    /// Uses the session now (whatever the touch interval), so its idle time starts again; a
    /// session at its lifetime's end is not extended past it. Not audited: it changes no data.
    @Sendable func keepAlive(request: Request) async throws -> StatusDTO {
        guard request.currentUser?.channel == .session, let state = request.sessionState,
              let session = try await SessionModel.find(state.id, on: request.db) else {
            throw AppError(.unauthorized, code: "unauthorized", "登录已过期，请重新登录")
        }
        session.lastSeenAt = request.clock.now()
        try await session.update(on: request.db)
        let expiresAt = Sessions.expiry(of: session, config: request.application.config)
        request.sessionState?.expiresAt = expiresAt
        return StatusDTO(signedIn: true, expiresIn: max(0, Int(expiresAt.timeIntervalSince(request.clock.now()))), warnBefore: Self.warnBefore)
    }
}
