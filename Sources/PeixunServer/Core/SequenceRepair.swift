import SQLKit

/// After rows were inserted with explicit ids, PostgreSQL's sequences must move past them or
/// the next ordinary insert collides. SQLite's AUTOINCREMENT follows the table by itself.
enum SequenceRepair {
    static func afterExplicitIDs(tables: [String], on database: any SQLDatabase) async throws {
        guard database.dialect.name == "postgresql" else { return }
        for table in tables {
            try await database.raw("""
                SELECT setval(pg_get_serial_sequence('\(unsafeRaw: table)', 'id'), COALESCE((SELECT MAX(id) FROM \(ident: table)), 0) + 1, false)
                """).run()
        }
    }
}
