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
            try await IndexReplacement.replace(index.name, on: index.table, columns: index.columns, sql)
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
