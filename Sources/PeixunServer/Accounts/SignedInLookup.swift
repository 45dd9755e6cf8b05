import Foundation
import PeixunCore
import SQLKit

/// The look-up every signed-in request makes — its bearer token or its session cookie with
/// the user behind it — as one SQL query decoded without Fluent's model reflection. Two
/// Fluent queries (token, then user) were a third of an authenticated report's time
/// (bench/auth.sh, issue 16). On PostgreSQL a named prepared statement (`preparedRows`).
enum SignedInLookup {
    private struct UserColumns: Decodable {
        let user_id: Int?
        let username: String?
        let display_name: String?
        let role: String?
        let region_code: String?
        let teacher_id: Int?
        let must_change_password: Bool?
        let disabled: Bool?

        /// Nil when the row has no user or the user is disabled.
        func currentUser(channel: CurrentUser.Channel, regions: RegionDirectory) throws -> CurrentUser? {
            guard let user_id, let username, let display_name, let role, disabled == false else { return nil }
            return CurrentUser(
                id: user_id, username: username, displayName: display_name,
                role: try .read(role, table: UserModel.schema, row: user_id, column: "role"),
                regionCode: region_code, teacherID: teacher_id, channel: channel,
                mustChangePassword: must_change_password ?? false, regions: regions)
        }
    }

    private static let userColumns: SQLQueryString = """
        u.id AS user_id, u.username, u.display_name, u.role, u.region_code, u.teacher_id, u.must_change_password, u.disabled
        """

    /// The enabled user of a live, unrevoked API token.
    static func tokenUser(token: String, now: Date, regions: RegionDirectory, on sql: any SQLDatabase) async throws -> CurrentUser? {
        let row = try await sql.preparedFirst("""
            SELECT \(userColumns) FROM api_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = \(bind: ApiTokenModel.hash(token)) AND t.revoked_at IS NULL AND t.expires_at > \(bind: now)
            """, decoding: UserColumns.self)
        return try row?.currentUser(channel: .token, regions: regions)
    }

    /// A session row with its user (when signed in), found by the cookie's token.
    struct Session {
        let id: Int
        let csrfToken: String
        let createdAt: Date
        let lastSeenAt: Date
        let userID: Int?
        /// Nil when anonymous, or when the user behind the session is disabled or gone.
        let user: CurrentUser?
    }

    static func session(token: String, regions: RegionDirectory, on sql: any SQLDatabase) async throws -> Session? {
        struct Row: Decodable {
            let id: Int
            let csrf_token: String
            let created_at: Date
            let last_seen_at: Date
            let session_user_id: Int?
        }
        guard let row = try await sql.preparedRows("""
            SELECT s.id, s.csrf_token, s.created_at, s.last_seen_at, s.user_id AS session_user_id, \(userColumns)
            FROM sessions s LEFT JOIN users u ON u.id = s.user_id
            WHERE s.token_hash = \(bind: ApiTokenModel.hash(token))
            """).first else { return nil }
        let session = try row.decode(model: Row.self)
        let user = try row.decode(model: UserColumns.self).currentUser(channel: .session, regions: regions)
        return Session(id: session.id, csrfToken: session.csrf_token, createdAt: session.created_at,
                       lastSeenAt: session.last_seen_at, userID: session.session_user_id, user: user)
    }
}
