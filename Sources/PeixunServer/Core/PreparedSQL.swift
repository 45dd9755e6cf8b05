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
/// Only for call sites whose SQL text takes a bounded number of forms (its values bound, lists
/// through `predicates(_:in:)`): a connection keeps every statement it has prepared.
extension SQLDatabase {
    func preparedRows(_ query: SQLQueryString) async throws -> [any SQLRow] {
        guard let postgres = self as? any PostgresDatabase else { return try await raw(query).all() }
        let (text, binds) = serialize(query)
        var bindings = PostgresBindings(capacity: binds.count)
        // The statement's parameter types are fixed by its first run: they are part of its name.
        var types = ""
        for bind in binds {
            // The values these queries bind; anything else goes the ordinary way.
            switch bind {
            case let value as String: bindings.append(value); types += "s"
            case let value as Int: bindings.append(value); types += "i"
            case let value as Bool: bindings.append(value); types += "b"
            case let value as Date: bindings.append(value); types += "d"
            // Lists as one array (`= ANY(…)`, `SQLDatabase.predicates`), so that their length does not make another statement.
            case let value as [String]: bindings.append(value); types += "S"
            case let value as [Int]: bindings.append(value); types += "I"
            default: return try await raw(query).all()
            }
        }
        let name = "peixun_" + SHA256.hash(data: Data((types + ":" + text).utf8)).prefix(12).map { String(format: "%02x", $0) }.joined()
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
        do {
            return try await future.get().map { $0.sql() }
        } catch let prepared {
            // postgres-nio keeps a failed preparation's error under the statement's name for the
            // connection's life, and a kept statement can go stale (a migration changing a
            // selected column's type, a pooler that dropped it): run the text the ordinary way, so
            // one failure (a timeout, a cancelled query) does not fail every later request that
            // draws this connection. Inside a transaction the failure has aborted it, and the
            // first error is the one that says why.
            // The server's message only: the error's full description carries the bound values.
            let reason = (prepared as? PSQLError).map { "\($0.code) \($0.serverInfo?[.message] ?? "")" } ?? "\(type(of: prepared))"
            logger.warning("prepared statement \(name) failed (\(reason)); run unprepared")
            do {
                return try await raw(query).all()
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "25P02" {
                throw prepared
            }
        }
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
