import Fluent
import Foundation
import Vapor

/// Finds the request's session (cookie `peixun_session`) in the database, ends it when idle
/// too long or too old, and makes its user the request's `currentUser`.
struct SessionMiddleware: AsyncMiddleware {
    static let cookieName = "peixun_session"
    /// `last_seen_at` is written at most this often, not on every request.
    static let touchInterval: TimeInterval = 60

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let token = request.cookies[Self.cookieName]?.string, !token.isEmpty {
            try await restore(token: token, on: request)
        }
        return try await next.respond(to: request)
    }

    private func restore(token: String, on request: Request) async throws {
        guard let session = try await SessionModel.query(on: request.db)
            .filter(\.$tokenHash == ApiTokenModel.hash(token)).first() else { return }
        let config = request.application.config
        let now = request.clock.now()
        let idle = now.timeIntervalSince(session.lastSeenAt) > config.sessionIdleTimeout
        let old = now.timeIntervalSince(session.createdAt) > config.sessionLifetime
        if idle || old {
            try await session.delete(on: request.db)
            return
        }
        if let userID = session.userID {
            guard let user = try await UserModel.find(userID, on: request.db), !user.disabled else {
                try await session.delete(on: request.db)
                return
            }
            request.currentUser = try CurrentUser(user, channel: .session)
        }
        // Asking how long the session has left must not extend it.
        if now.timeIntervalSince(session.lastSeenAt) > Self.touchInterval, request.url.path != SiteURL.session(.status).path {
            session.lastSeenAt = now
            try await session.update(on: request.db)
        }
        request.sessionState = SessionState(id: session.id!, csrfToken: session.csrfToken, userID: session.userID,
                                            expiresAt: Sessions.expiry(of: session, config: config))
    }
}

/// Starting and ending sessions. A login always starts a new session (new id, new CSRF
/// token) so that a token planted before login is worthless afterwards.
enum Sessions {
    static func start(userID: Int?, on request: Request, response: Response) async throws {
        if let existing = request.sessionState {
            try await SessionModel.query(on: request.db).filter(\.$id == existing.id).delete()
        }
        // Each login sweeps away sessions that can no longer be used.
        if userID != nil { try await purgeExpired(on: request.db, config: request.application.config, now: request.clock.now()) }
        let token = ApiTokenModel.generateToken()
        let session = SessionModel()
        session.tokenHash = ApiTokenModel.hash(token)
        session.userID = userID
        session.csrfToken = ApiTokenModel.generateToken()
        session.createdAt = request.clock.now()
        session.lastSeenAt = session.createdAt
        session.address = request.clientAddress
        try await session.create(on: request.db)
        request.sessionState = SessionState(id: session.id!, csrfToken: session.csrfToken, userID: userID,
                                            expiresAt: expiry(of: session, config: request.application.config))
        response.cookies[SessionMiddleware.cookieName] = cookie(token, request: request)
    }

    static func end(on request: Request, response: Response) async throws {
        if let existing = request.sessionState {
            try await SessionModel.query(on: request.db).filter(\.$id == existing.id).delete()
        }
        response.cookies[SessionMiddleware.cookieName] = .expired
        request.sessionState = nil
        request.currentUser = nil
    }

    /// The CSRF token for a form: the session's, or a new anonymous session's (login form).
    static func csrfToken(for request: Request, response: Response) async throws -> String {
        if let state = request.sessionState { return state.csrfToken }
        try await start(userID: nil, on: request, response: response)
        return request.sessionState!.csrfToken
    }

    /// When a session ends if nobody uses it: idle timeout after the last use, capped by its lifetime.
    static func expiry(of session: SessionModel, config: AppConfig) -> Date {
        min(session.lastSeenAt.addingTimeInterval(config.sessionIdleTimeout), session.createdAt.addingTimeInterval(config.sessionLifetime))
    }

    /// Removes sessions nobody can use any more (Vapor's own sessions never do).
    static func purgeExpired(on database: any Database, config: AppConfig, now: Date) async throws {
        try await SessionModel.query(on: database)
            .group(.or) { group in
                group.filter(\.$lastSeenAt < now.addingTimeInterval(-config.sessionIdleTimeout))
                group.filter(\.$createdAt < now.addingTimeInterval(-config.sessionLifetime))
            }
            .delete()
    }

    private static func cookie(_ token: String, request: Request) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: token, expires: nil, maxAge: nil, domain: nil, path: "/",
            isSecure: request.application.config.secureCookies, isHTTPOnly: true, sameSite: .lax)
    }
}
