import FluentPostgresDriver
import Foundation
import SQLKit

/// The sign-in look-ups as named prepared statements on PostgreSQL. Every signed-in request
/// runs one; sent as an unnamed statement it was parsed (0.17 ms) and planned (0.24 ms) afresh
/// each time, three times the 0.05 ms of running it (server log, bench/postgres.sh). Prepared,
/// each pooled connection parses it once and, after a few runs, keeps a generic plan.
/// The rows come back as `SQLRow`s, decoded as SQLite's are (`SignedInLookup`).
enum PreparedLookup {
    static func first<Statement: PostgresPreparedStatement>(_ statement: Statement, on database: any PostgresDatabase) async throws -> (any SQLRow)?
    where Statement.Row == PostgresRow {
        let logger = database.logger
        let future: EventLoopFuture<PostgresRow?> = database.withConnection { connection in
            connection.eventLoop.makeFutureWithTask { () async throws -> PostgresRow? in
                var rows = try await connection.execute(statement, logger: logger).makeAsyncIterator()
                return try await rows.next()
            }
        }
        guard let row = try await future.get() else { return nil }
        return row.sql()
    }
}

/// `SignedInLookup.tokenUser` on PostgreSQL.
struct TokenUserStatement: PostgresPreparedStatement {
    static let sql = """
        SELECT \(SignedInLookup.userColumns) FROM api_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2
        """
    let hash: String
    let now: Date

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(hash)
        bindings.append(now)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

/// `SignedInLookup.session` on PostgreSQL.
struct SessionStatement: PostgresPreparedStatement {
    static let sql = """
        SELECT s.id, s.csrf_token, s.created_at, s.last_seen_at, s.user_id AS session_user_id, \(SignedInLookup.userColumns)
        FROM sessions s LEFT JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = $1
        """
    let hash: String

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(hash)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}
