import SQLKit

/// An index redefined under its own name by a migration. On PostgreSQL the new index is built
/// beside the old one and then takes its name, so that instances still serving never read the
/// table without one (the build holds writes to the table back meanwhile: README, 升级). SQLite
/// cannot rename an index, and the server that migrates it is the only one. Safe to run again.
enum IndexReplacement {
    static func replace(_ name: String, on table: String, columns: [String], _ sql: any SQLDatabase) async throws {
        let postgres = sql.dialect.name == "postgresql"
        let building = postgres ? name + "_replacing" : name
        try await sql.drop(index: building).ifExists().run()
        var builder = sql.create(index: building).on(table)
        for column in columns { builder = builder.column(column) }
        try await builder.run()
        if postgres {
            try await sql.drop(index: name).ifExists().run()
            try await sql.raw("ALTER INDEX \(ident: building) RENAME TO \(ident: name)").run()
        }
    }
}
