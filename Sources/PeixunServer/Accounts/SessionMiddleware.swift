import Fluent
import Foundation
import SQLKit
import Vapor

/// Finds the request's session (cookie `peixun_session`) in the database, ends it when idle
/// too long or too old, and makes its user the request's `currentUser`.
struct SessionMiddleware: Middleware {
    static let cookieName = "peixun_session"
    /// `last_seen_at` is written at most this often, not on every request.
    static let touchInterval: TimeInterval = 60

    /// Future-based: a request without the cookie (API calls, /healthz, static files) passes
    /// without starting a task (see `SecurityHeadersMiddleware`).
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard let token = request.cookies[Self.cookieName]?.string, !token.isEmpty else {
            return next.respond(to: request)
        }
        return request.eventLoop.makeFutureWithTask { try await restore(token: token, on: request) }
            .flatMap { next.respond(to: request) }
    }

    private func restore(token: String, on request: Request) async throws {
        guard let session = try await SignedInLookup.session(token: token, regions: request.application.regions, on: request.sql) else { return }
        let config = request.application.config
        let now = request.clock.now()
        let idle = now.timeIntervalSince(session.lastSeenAt) > config.sessionIdleTimeout
        let old = now.timeIntervalSince(session.createdAt) > config.sessionLifetime
        if idle || old {
            try await SessionModel.query(on: request.db).filter(\.$id == session.id).delete()
            return
        }
        if session.userID != nil {
            guard let user = session.user else {
                try await SessionModel.query(on: request.db).filter(\.$id == session.id).delete()
                return
            }
            request.currentUser = user
        }
        var lastSeenAt = session.lastSeenAt
        // Asking how long the session has left must not extend it.
        if now.timeIntervalSince(session.lastSeenAt) > Self.touchInterval, request.url.path != SiteURL.session(.status).path {
            lastSeenAt = now
            try await SessionModel.query(on: request.db).filter(\.$id == session.id).set(\.$lastSeenAt, to: now).update()
        }
        request.sessionState = SessionState(
            id: session.id, csrfToken: session.csrfToken, userID: session.userID,
            expiresAt: Sessions.expiry(createdAt: session.createdAt, lastSeenAt: lastSeenAt, config: config))
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
        expiry(createdAt: session.createdAt, lastSeenAt: session.lastSeenAt, config: config)
    }

    static func expiry(createdAt: Date, lastSeenAt: Date, config: AppConfig) -> Date {
        min(lastSeenAt.addingTimeInterval(config.sessionIdleTimeout), createdAt.addingTimeInterval(config.sessionLifetime))
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
