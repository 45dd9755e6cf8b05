import Fluent
import Foundation
import PeixunCore
import SQLKit

/// Appendix 1 snapshots (`progress`) need a wider CHECK on `kind`. PostgreSQL swaps the
/// constraint; SQLite cannot alter one, so the table is created again from its own stored
/// definition with the new CHECK, and its rows copied, ids included.
struct AllowProgressFrozenTables: AsyncMigration {
    static let before = "'plan', 'summary'"
    static let after = "'plan', 'summary', 'progress'"

    // In one transaction each (DDL is transactional on both databases): a crash halfway through
    // the SQLite rebuild would otherwise leave `frozen_tables_old` and a migration that cannot run again.
    func prepare(on database: any Database) async throws {
        try await database.transaction { db in
            try await allow(from: Self.before, to: Self.after, on: db)
        }
    }

    func revert(on database: any Database) async throws {
        try await database.transaction { db in
            try await (db as! any SQLDatabase).raw("DELETE FROM frozen_tables WHERE kind = 'progress'").run()
            try await allow(from: Self.after, to: Self.before, on: db)
        }
    }

    private func allow(from old: String, to new: String, on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await sql.raw("ALTER TABLE frozen_tables DROP CONSTRAINT frozen_tables_kind_check").run()
            try await sql.raw("ALTER TABLE frozen_tables ADD CONSTRAINT frozen_tables_kind_check CHECK (kind IN (\(unsafeRaw: new)))").run()
            return
        }
        struct Definition: Decodable { let sql: String }
        guard let definition = try await sql.raw("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'frozen_tables'")
            .first(decoding: Definition.self)?.sql, definition.contains("IN (\(old))") else {
            throw AppError(.internalServerError, code: "migration.frozen_tables", "frozen_tables 表的定义与预期不符，无法放宽 kind 的取值")
        }
        try await sql.raw("ALTER TABLE frozen_tables RENAME TO frozen_tables_old").run()
        try await sql.raw("\(unsafeRaw: definition.replacingOccurrences(of: "IN (\(old))", with: "IN (\(new))"))").run()
        try await sql.raw("INSERT INTO frozen_tables SELECT * FROM frozen_tables_old ORDER BY id").run()
        try await sql.raw("DROP TABLE frozen_tables_old").run()
    }
}
