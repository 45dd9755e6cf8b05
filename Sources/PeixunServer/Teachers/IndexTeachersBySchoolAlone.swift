import Fluent
import SQLKit

/// The teachers' school index leaves `first_passed_year` out, and on PostgreSQL each page of
/// `teachers` keeps a tenth free: an approval then rewrites a teacher's first passed year in
/// place (a HOT update — no entry in any of the six indexes) instead of adding a row version to
/// every index. Measured in `psql` on the full demo, 自贡市's 4,798 changing years: 110–147 ms →
/// 67–69 ms (bench/README.md). The school filter of the registry still finds a school's
/// teachers by the index and checks their year on the row. Pages filled before keep no room
/// until rewritten (`VACUUM FULL teachers`, README: 升级).
struct IndexTeachersBySchoolAlone: AsyncMigration {
    static let fillfactor = 90

    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        // A database created after this change has the new index from `CreateIndexes` already.
        try await sql.raw("CREATE INDEX IF NOT EXISTS teachers_school ON teachers (school_id)").run()
        try await sql.drop(index: "teachers_school_passed").ifExists().run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("ALTER TABLE teachers SET (fillfactor = \(unsafeRaw: String(Self.fillfactor)))").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX IF NOT EXISTS teachers_school_passed ON teachers (school_id, first_passed_year)").run()
        try await sql.drop(index: "teachers_school").ifExists().run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("ALTER TABLE teachers RESET (fillfactor)").run()
        }
    }
}
