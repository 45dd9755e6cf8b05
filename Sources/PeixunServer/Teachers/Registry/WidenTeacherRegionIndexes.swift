import Fluent
import SQLKit

/// The teachers' county and city indexes end in the registry's order (county, then id), so that
/// a page of a county's or a city's registry is read off the index. SQLite's index on
/// `county_code` already ended in the rowid; PostgreSQL's did not, and sorted the county's
/// 8,655 teachers to show 50 of them (锦江区 page 40: 9.7 ms → 0.4 ms in `psql`; 凉山州's
/// page 37: 93 ms → 0.4 ms). The same definitions are in `CreateIndexes.indexes`, which bulk
/// loads rebuild from; this replaces the narrower ones of databases migrated before.
struct WidenTeacherRegionIndexes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for index in CreateIndexes.indexes where ["teachers_county", "teachers_city"].contains(index.name) {
            // On PostgreSQL the wider index is built beside the old one and then takes its name, so
            // that instances still serving never read `teachers` without one (the build holds
            // writes to `teachers` back meanwhile: README, 升级). SQLite cannot rename an index,
            // and the server that migrates it is the only one.
            let postgres = sql.dialect.name == "postgresql"
            let building = postgres ? index.name + "_widened" : index.name
            try await sql.drop(index: building).ifExists().run()
            var builder = sql.create(index: building).on(index.table)
            for column in index.columns { builder = builder.column(column) }
            try await builder.run()
            if postgres {
                try await sql.drop(index: index.name).ifExists().run()
                try await sql.raw("ALTER INDEX \(ident: building) RENAME TO \(ident: index.name)").run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for (name, column) in [("teachers_county", "county_code"), ("teachers_city", "city_code")] {
            try await sql.drop(index: name).ifExists().run()
            try await sql.create(index: name).on(TeacherModel.schema).column(column).run()
        }
    }
}
