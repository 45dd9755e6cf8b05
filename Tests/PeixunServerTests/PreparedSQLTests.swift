import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// `preparedRows`: on PostgreSQL a named statement per SQL text, kept by each connection and
/// run again with other values; on SQLite the ordinary query. Same answers either way.
@Suite struct PreparedSQLTests {
    struct Region: Decodable, Equatable { let code: String; let name: String }

    @Test func answersAsTheOrdinaryQueryRunAfterRunWithEveryKindOfValue() async throws {
        try await withTestApp(users: false) { app in
            let sql = app.db as! any SQLDatabase
            // More runs than PostgreSQL's five custom plans, so the kept generic plan answers too.
            for round in 0..<8 {
                for code in ["510104", "510100", "513400", "999999"] {
                    let query: SQLQueryString = "SELECT code, name FROM regions WHERE code = \(bind: code) ORDER BY code"
                    let prepared = try await sql.preparedAll(query, decoding: Region.self)
                    #expect(prepared == (try await sql.raw(query).all(decoding: Region.self)))
                    #expect(prepared.count == (code == "999999" ? 0 : 1), "round \(round)")
                }
                // Another text with the same values is another statement; an Int, a Bool and a Date bound.
                struct Counted: Decodable { let n: Int; let flag: Bool }
                let children = try await sql.preparedFirst("""
                    SELECT COUNT(*) AS n, \(bind: round.isMultiple(of: 2)) AS flag FROM regions
                    WHERE parent_code = \(bind: "510100") AND LENGTH(code) = \(bind: 6) AND \(bind: Date(timeIntervalSince1970: 0)) < \(bind: Date())
                    """, decoding: Counted.self)
                #expect(children?.n == app.regions.children(of: "510100").count)
                #expect(children?.flag == round.isMultiple(of: 2))
            }
            // A list of any length is one array bind on PostgreSQL (one statement), `IN` on SQLite.
            for codes in [["510104"], ["510104", "510105"], ["510104", "510105", "510106", "999999"]] {
                for predicate in sql.predicates("code", in: codes) {
                    let listed = try await sql.preparedAll("SELECT code, name FROM regions WHERE \(predicate) ORDER BY code", decoding: Region.self)
                    #expect(listed.map(\.code) == codes.filter { $0 != "999999" })
                }
            }
            // A value of another kind goes the ordinary way.
            let other = try await sql.preparedAll("SELECT code, name FROM regions WHERE code = \(bind: Optional("510104"))", decoding: Region.self)
            #expect(other.map(\.name) == ["锦江区"])
        }
    }

    /// A statement whose first preparation failed (here: its table did not exist yet) answers
    /// once the cause is gone, on every pooled connection — postgres-nio keeps the failure under
    /// the statement's name for the connection's life, and every request drawing it would fail.
    @Test func aStatementThatFailedOnceAnswersOnceItCan() async throws {
        try await withTestApp(users: false) { app in
            let sql = app.db as! any SQLDatabase
            struct Row: Decodable { let n: Int }
            let query: SQLQueryString = "SELECT COUNT(*) AS n FROM prepared_probe WHERE label = \(bind: "x")"
            for _ in 0..<4 {
                await #expect(throws: (any Error).self) { _ = try await sql.preparedFirst(query, decoding: Row.self) }
            }
            try await sql.raw("CREATE TABLE prepared_probe (label TEXT NOT NULL)").run()
            try await sql.raw("INSERT INTO prepared_probe (label) VALUES ('x'), ('x'), ('y')").run()
            for _ in 0..<12 {
                #expect(try await sql.preparedFirst(query, decoding: Row.self)?.n == 2)
            }
            // The same text with a value of another type is another statement.
            let byCount: SQLQueryString = "SELECT COUNT(*) AS n FROM prepared_probe WHERE LENGTH(label) = \(bind: 1)"
            #expect(try await sql.preparedFirst(byCount, decoding: Row.self)?.n == 3)
            try await sql.raw("DROP TABLE prepared_probe").run()
        }
    }
}
