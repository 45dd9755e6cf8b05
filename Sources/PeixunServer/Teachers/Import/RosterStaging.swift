import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import PeixunCore
import SQLKit

/// A first load into an empty registry (a province's 737,686 teachers): checked rows go into
/// an unindexed temporary table while the file is still being read, and reach `teachers` in
/// one `INSERT … SELECT` in ID order once the import is known to commit. Binding or
/// formatting 4.4 million values is then done on the core the reader leaves idle instead of
/// after it (see bench/README.md). On PostgreSQL the rows go in with `COPY`, and a temporary
/// table is not WAL-logged.
///
/// Temporary tables belong to one connection (and vanish with it if the process dies), so
/// everything runs on the connection pinned by `TeacherImporter.run`. Foreign keys are not
/// checked row by row during the load (SQLite: switched off; PostgreSQL: set aside by
/// `BulkLoadConstraints`, or checked per row for a small file): every school, county and city
/// code a row can get comes through the school map, and the map is checked against `schools`
/// and `regions` before the commit (`verifyReferences`).
final class RosterStaging: Sendable {
    static let rowsTable = "teacher_roster_staging"
    static let schoolsTable = "teacher_roster_schools"
    /// Rows handed to the writer at a time: small enough that the database starts early.
    static let chunkSize = 4096

    private let connection: any Database
    private let continuation: AsyncStream<[PendingTeacher]>.Continuation
    private let writer: Task<Void, any Error>

    private var sqlite: (any SQLiteDatabase)? { connection as? any SQLiteDatabase }
    private var sql: any SQLDatabase { connection as! any SQLDatabase }

    private init(connection: any Database, continuation: AsyncStream<[PendingTeacher]>.Continuation, writer: Task<Void, any Error>) {
        self.connection = connection
        self.continuation = continuation
        self.writer = writer
    }

    /// Creates the temporary tables on `connection` and starts the writer. The caller must
    /// `close()` on every path, so that the pooled connection goes back as it came.
    static func open(on connection: any Database) async throws -> RosterStaging {
        let sql = connection as! any SQLDatabase
        try await dropTables(on: sql)
        let key: String
        if let sqlite = connection as? any SQLiteDatabase {
            _ = try await sqlite.query("PRAGMA foreign_keys = OFF", [])
            // Each staging statement commits on its own, and with a rollback journal SQLite copied
            // every page a statement touched into it first (0.45 s of writes for a province). The
            // tables are thrown away whenever anything fails, so there is nothing to roll back.
            _ = try await sqlite.query("PRAGMA temp.journal_mode = OFF", [])
            // Keyed by the ID, so that the rows come out in ID order without a sort.
            key = "key INTEGER PRIMARY KEY"
        } else {
            // No index to maintain while copying: the one sort happens in the `INSERT … SELECT`.
            key = "key BIGINT NOT NULL"
        }
        try await sql.raw("""
            CREATE TEMP TABLE \(unsafeRaw: rowsTable) (\(unsafeRaw: key), resident_id TEXT NOT NULL, name TEXT NOT NULL,
            mobile TEXT, school INTEGER NOT NULL, stage TEXT)
            """).run()
        try await sql.raw("""
            CREATE TEMP TABLE \(unsafeRaw: schoolsTable) (school INTEGER PRIMARY KEY, school_id BIGINT NOT NULL, stage TEXT NOT NULL,
            county_code TEXT NOT NULL, city_code TEXT NOT NULL)
            """).run()
        let (stream, continuation) = AsyncStream.makeStream(of: [PendingTeacher].self)
        let writer = Task {
            // Nothing else uses the connection until `finish()`: the copy may run ahead.
            var insert = PlainBulkInsert(into: rowsTable, columns: ["key", "resident_id", "name", "mobile", "school", "stage"], on: connection, pipelined: true)
            for await chunk in stream {
                for row in chunk {
                    try await insert.append([.integer(Int(row.residentID)), .text(ResidentID(packed: row.residentID).value), .text(row.name),
                                             .optional(row.phone), .integer(Int(row.school)), .optional(row.stage?.rawValue)])
                }
            }
            try await insert.flush()
        }
        return RosterStaging(connection: connection, continuation: continuation, writer: writer)
    }

    /// Called from the checking thread; never blocks it.
    func send(_ rows: [PendingTeacher]) {
        continuation.yield(rows)
    }

    /// Waits until every row sent is in the staging table (the insert then checks the count).
    func finish() async throws {
        continuation.finish()
        try await writer.value
    }

    /// Fills the school map (batch index → school id, stage, county, city), removes the rows
    /// the registry checks refused, and inserts the rest into `teachers` in ID order.
    /// Returns the number of teachers inserted. Runs inside the import's transaction.
    func insertTeachers(_ batch: PendingBatch, schoolIDs: [Int?], on db: any Database, at now: Date) async throws -> Int {
        var map = PlainBulkInsert(into: Self.schoolsTable, columns: ["school", "school_id", "stage", "county_code", "city_code"], on: db)
        for (index, school) in batch.schools.enumerated() {
            guard let id = schoolIDs[index], let stage = school.stage else { continue }
            let county = batch.counties[Int(school.key.county)]
            try await map.append([.integer(index), .integer(id), .text(stage.rawValue), .text(county.code), .text(county.parentCode!)])
        }
        try await map.flush()
        let sql = db as! any SQLDatabase
        let refusedKeys = batch.rows.lazy.filter(\.refused).map { Int($0.residentID) }
        for chunk in Array(refusedKeys).chunked(into: 10_000) {
            try await sql.raw("DELETE FROM \(unsafeRaw: Self.rowsTable) WHERE key IN (\(SQLList(chunk.map { SQLBind($0) })))").run()
        }
        let columns = "resident_id, name, mobile, school_id, stage, county_code, city_code, created_at, updated_at"
        let source = "FROM \(Self.rowsTable) s JOIN \(Self.schoolsTable) m ON m.school = s.school ORDER BY s.key"
        let inserted: Int
        if let sqlite = db as? any SQLiteDatabase {
            _ = try await sqlite.query("""
                INSERT INTO \(TeacherModel.schema) (\(columns))
                SELECT s.resident_id, s.name, s.mobile, m.school_id, COALESCE(s.stage, m.stage), m.county_code, m.city_code, ?1, ?1 \(source)
                """, [.float(now.timeIntervalSince1970)])
            inserted = try await sqlite.query("SELECT changes() AS n", []).first?.column("n")?.integer ?? -1
        } else {
            guard let postgres = db as? any PostgresDatabase else { preconditionFailure("staging: neither SQLite nor PostgreSQL") }
            // The sort by ID in memory rather than in 4 MB runs on disk (the server's memory,
            // for this transaction only).
            try await sql.raw("SET LOCAL work_mem = '256MB'").run()
            let stamp = "'\(PostgresCopy.timestampText(now))'::timestamptz"
            let result = try await postgres.query("""
                INSERT INTO \(TeacherModel.schema) (\(columns))
                SELECT s.resident_id, s.name, s.mobile, m.school_id, COALESCE(s.stage, m.stage), m.county_code, m.city_code, \(stamp), \(stamp) \(source)
                """).get()
            inserted = result.metadata.rows ?? -1
        }
        try await Self.verifyReferences(on: sql)
        return inserted
    }

    /// The import's transaction on the pinned connection. PostgreSQL's Fluent driver takes a
    /// connection from `withConnection` to be inside a transaction already, so its
    /// `transaction` would begin none there and a failed load would keep its new schools:
    /// begun and ended here instead.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard sqlite == nil else { return try await connection.transaction(body) }
        try await sql.raw("BEGIN").run()
        do {
            let result = try await body(connection)
            try await sql.raw("COMMIT").run()
            return result
        } catch {
            try? await sql.raw("ROLLBACK").run()
            throw error
        }
    }

    /// What the foreign keys would have checked row by row, checked once per school.
    private static func verifyReferences(on sql: any SQLDatabase) async throws {
        struct Count: Decodable { let n: Int }
        let broken = try await sql.raw("""
            SELECT COUNT(*) AS n FROM \(unsafeRaw: schoolsTable) m
            WHERE NOT EXISTS (SELECT 1 FROM \(unsafeRaw: SchoolModel.schema) s WHERE s.id = m.school_id AND s.county_code = m.county_code)
               OR NOT EXISTS (SELECT 1 FROM \(unsafeRaw: RegionModel.schema) r WHERE r.code = m.county_code)
               OR NOT EXISTS (SELECT 1 FROM \(unsafeRaw: RegionModel.schema) r WHERE r.code = m.city_code)
            """).first(decoding: Count.self)?.n ?? -1
        guard broken == 0 else {
            throw AppError(.internalServerError, code: "import.broken_references", "导入中止：\(broken) 所学校在系统中的记录与其所属地区不符，未写入任何数据。请重新导入；如仍出现，请联系系统管理员")
        }
    }

    /// Stops the writer if it still runs, drops the tables, and gives the connection back as
    /// every other connection is (SQLite: foreign keys on, the default journal for temporary tables).
    func close() async throws {
        continuation.finish()
        _ = try? await writer.value
        try await Self.dropTables(on: sql)
        if let sqlite {
            _ = try await sqlite.query("PRAGMA temp.journal_mode = DELETE", [])
            _ = try await sqlite.query("PRAGMA foreign_keys = ON", [])
        }
    }

    private static func dropTables(on sql: any SQLDatabase) async throws {
        // `temp.` and `pg_temp.` name the connection's own temporary schema, never a real table.
        let schema = sql.dialect.name == "postgresql" ? "pg_temp" : "temp"
        try await sql.raw("DROP TABLE IF EXISTS \(unsafeRaw: schema).\(unsafeRaw: rowsTable)").run()
        try await sql.raw("DROP TABLE IF EXISTS \(unsafeRaw: schema).\(unsafeRaw: schoolsTable)").run()
    }
}
