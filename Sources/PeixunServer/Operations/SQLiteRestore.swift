import Fluent
import Foundation
import SQLKit
import Vapor

/// Copies a SQLite backup into the (empty) configured database on one connection: attach the
/// backup, recreate each table from its own `CREATE` statement, copy the rows, then the
/// indexes, triggers and views, all in one transaction — cut short, nothing is left.
///
/// Not a file copy: the app already holds the database open (WAL), and copying a file under
/// open connections would corrupt it. sqlite-nio keeps the `sqlite3_backup_*` API to itself.
struct SQLiteRestore {
    let app: Application
    let file: String

    private struct Entry: Decodable {
        let type: String
        let name: String
        let sql: String
    }

    func run() async throws -> DatabaseBackup.Outcome {
        try await app.db.withConnection { connection in
            let sql = connection as! any SQLDatabase
            try await sql.raw("ATTACH DATABASE \(bind: file) AS backup").run()
            do {
                let outcome = try await copy(sql)
                try await sql.raw("DETACH DATABASE backup").run()
                return outcome
            } catch {
                try? await sql.raw("DETACH DATABASE backup").run()
                throw error
            }
        }
    }

    private func copy(_ sql: any SQLDatabase) async throws -> DatabaseBackup.Outcome {
        struct Check: Decodable { let quick_check: String }
        let check = try await sql.raw("PRAGMA backup.quick_check").all(decoding: Check.self)
        guard check.map(\.quick_check) == ["ok"] else {
            throw DatabaseBackup.Refusal(message: "备份文件已损坏（SQLite 完整性检查未通过）：\(check.prefix(3).map(\.quick_check).joined(separator: "；"))")
        }
        let entries = try await sql.raw("""
            SELECT type, name, sql FROM backup.sqlite_master
            WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid
            """).all(decoding: Entry.self)
        let tables = entries.filter { $0.type == "table" }
        guard tables.contains(where: { $0.name == "_fluent_migrations" }) else {
            throw DatabaseBackup.Refusal(message: "\(file) 不是 Peixun 的备份：其中没有 _fluent_migrations 表")
        }
        struct Count: Decodable { let n: Int }
        var outcome = DatabaseBackup.Outcome()
        try await sql.raw("BEGIN IMMEDIATE").run()
        do {
            // Rows arrive table by table, so a child may come before its parent; the
            // constraints are checked once, at commit.
            try await sql.raw("PRAGMA defer_foreign_keys = ON").run()
            for table in tables {
                try await sql.raw(SQLQueryString(table.sql)).run()
                try await sql.raw("INSERT INTO main.\(ident: table.name) SELECT * FROM backup.\(ident: table.name)").run()
                outcome.rows += try await sql.raw("SELECT COUNT(*) AS n FROM main.\(ident: table.name)").first(decoding: Count.self)?.n ?? 0
            }
            outcome.tables = tables.count
            if try await exists("sqlite_sequence", sql) {
                try await sql.raw("DELETE FROM main.sqlite_sequence").run()
                try await sql.raw("INSERT INTO main.sqlite_sequence SELECT * FROM backup.sqlite_sequence").run()
            }
            // Indexes after the rows: building one at the end is faster than keeping it up to date.
            for entry in entries where entry.type != "table" {
                try await sql.raw(SQLQueryString(entry.sql)).run()
            }
            if try await exists("sqlite_stat1", sql) {
                try await sql.raw("ANALYZE main.sqlite_master").run()
                try await sql.raw("DELETE FROM main.sqlite_stat1").run()
                try await sql.raw("INSERT INTO main.sqlite_stat1 SELECT * FROM backup.sqlite_stat1").run()
            }
            try await sql.raw("COMMIT").run()
        } catch {
            try? await sql.raw("ROLLBACK").run()
            throw error
        }
        return outcome
    }

    private func exists(_ table: String, _ sql: any SQLDatabase) async throws -> Bool {
        struct Count: Decodable { let n: Int }
        return try await sql.raw("SELECT COUNT(*) AS n FROM backup.sqlite_master WHERE name = \(bind: table)").first(decoding: Count.self)?.n ?? 0 > 0
    }
}
