import Crypto
import FluentPostgresDriver
import Foundation
import SQLKit

/// A query the server runs on nearly every request, as a named prepared statement on
/// PostgreSQL: each pooled connection parses and plans it once and, after a few runs, keeps a
/// generic plan. Sent unnamed, PostgreSQL parsed and planned it afresh every time — for the
/// sign-in look-up 0.4 ms against 0.05 ms of running it (server log, bench/README.md); SQLite,
/// in-process, has no such cost and runs the same text as before.
///
/// Only for call sites whose SQL text takes a bounded number of forms (its values bound, no
/// `IN` lists of varying length): a connection keeps every statement it has prepared.
extension SQLDatabase {
    func preparedRows(_ query: SQLQueryString) async throws -> [any SQLRow] {
        guard let postgres = self as? any PostgresDatabase else { return try await raw(query).all() }
        let (text, binds) = serialize(query)
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds {
            // The values these queries bind; anything else goes the ordinary way.
            switch bind {
            case let value as String: bindings.append(value)
            case let value as Int: bindings.append(value)
            case let value as Bool: bindings.append(value)
            case let value as Date: bindings.append(value)
            default: return try await raw(query).all()
            }
        }
        let name = "peixun_" + SHA256.hash(data: Data(text.utf8)).prefix(12).map { String(format: "%02x", $0) }.joined()
        let statement = NamedStatement(bindings: bindings)
        let logger = logger
        let future: EventLoopFuture<[PostgresRow]> = postgres.withConnection { connection in
            connection.eventLoop.makeFutureWithTask { () async throws -> [PostgresRow] in
                try await NamedStatement.$current.withValue((name, text)) {
                    var rows: [PostgresRow] = []
                    for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
                    return rows
                }
            }
        }
        return try await future.get().map { $0.sql() }
    }

    func preparedFirst<Row: Decodable>(_ query: SQLQueryString, decoding: Row.Type) async throws -> Row? {
        try await preparedRows(query).first?.decode(model: Row.self)
    }

    func preparedAll<Row: Decodable>(_ query: SQLQueryString, decoding: Row.Type) async throws -> [Row] {
        try await preparedRows(query).map { try $0.decode(model: Row.self) }
    }
}

/// postgres-nio names a prepared statement by its type; the name and text of this one are
/// those of the query being run, read (synchronously, in this task) when it is sent.
private struct NamedStatement: PostgresPreparedStatement {
    @TaskLocal static var current: (name: String, sql: String) = ("", "")
    static var name: String { current.name }
    static var sql: String { current.sql }

    let bindings: PostgresBindings

    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}
