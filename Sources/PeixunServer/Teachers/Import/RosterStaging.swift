import Fluent
import FluentSQLiteDriver
import Foundation
import PeixunCore
import SQLKit

/// A first load into an empty SQLite registry (a province's 737,686 teachers): checked rows go
/// into an unindexed temporary table while the file is still being read, keyed by the ID so
/// that they come out in ID order, and reach `teachers` in one `INSERT … SELECT` once the
/// import is known to commit. Binding and parsing 4.4 million values is then done on the core
/// the reader leaves idle instead of after it (see bench/README.md).
///
/// Temporary tables belong to one connection, so everything runs on the connection pinned by
/// `TeacherImporter.run`. Foreign keys are not checked row by row during the load: every
/// school, county and city code a row can get comes through the school map, and the map is
/// checked against `schools` and `regions` before the commit (`verifyReferences`).
final class RosterStaging: Sendable {
    static let rowsTable = "teacher_roster_staging"
    static let schoolsTable = "teacher_roster_schools"
    /// Rows handed to the writer at a time: small enough that SQLite starts early.
    static let chunkSize = 4096

    private let connection: any SQLiteDatabase
    private let continuation: AsyncStream<[PendingTeacher]>.Continuation
    private let writer: Task<Void, any Error>

    private init(connection: any SQLiteDatabase, continuation: AsyncStream<[PendingTeacher]>.Continuation, writer: Task<Void, any Error>) {
        self.connection = connection
        self.continuation = continuation
        self.writer = writer
    }

    /// Creates the temporary tables on `connection` and starts the writer. The caller must
    /// `close()` on every path, so that the pooled connection goes back as it came.
    static func open(on connection: any Database) async throws -> RosterStaging {
        guard let sqlite = connection as? any SQLiteDatabase else { preconditionFailure("staging is for SQLite") }
        try await dropTables(on: sqlite)
        _ = try await sqlite.query("PRAGMA foreign_keys = OFF", [])
        // Each staging statement commits on its own, and with a rollback journal SQLite copied
        // every page a statement touched into it first (0.45 s of writes for a province). The
        // tables are thrown away whenever anything fails, so there is nothing to roll back.
        _ = try await sqlite.query("PRAGMA temp.journal_mode = OFF", [])
        _ = try await sqlite.query("""
            CREATE TEMP TABLE \(rowsTable) (key INTEGER PRIMARY KEY, resident_id TEXT NOT NULL, name TEXT NOT NULL,
            mobile TEXT, school INTEGER NOT NULL, stage TEXT)
            """, [])
        _ = try await sqlite.query("""
            CREATE TEMP TABLE \(schoolsTable) (school INTEGER PRIMARY KEY, school_id INTEGER NOT NULL, stage TEXT NOT NULL,
            county_code TEXT NOT NULL, city_code TEXT NOT NULL)
            """, [])
        let (stream, continuation) = AsyncStream.makeStream(of: [PendingTeacher].self)
        let writer = Task {
            var insert = PlainBulkInsert(into: rowsTable, columns: ["key", "resident_id", "name", "mobile", "school", "stage"], on: connection)
            for await chunk in stream {
                for row in chunk {
                    try await insert.append([.integer(Int(row.residentID)), .text(ResidentID(packed: row.residentID).value), .text(row.name),
                                             .optional(row.phone), .integer(Int(row.school)), .optional(row.stage?.rawValue)])
                }
            }
            try await insert.flush()
        }
        return RosterStaging(connection: sqlite, continuation: continuation, writer: writer)
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
        let refusedKeys = batch.rows.lazy.filter(\.refused).map { SQLiteData.integer(Int($0.residentID)) }
        for chunk in Array(refusedKeys).chunked(into: 10_000) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            _ = try await connection.query("DELETE FROM \(Self.rowsTable) WHERE key IN (\(marks))", chunk)
        }
        _ = try await connection.query("""
            INSERT INTO \(TeacherModel.schema) (resident_id, name, mobile, school_id, stage, county_code, city_code, created_at, updated_at)
            SELECT s.resident_id, s.name, s.mobile, m.school_id, COALESCE(s.stage, m.stage), m.county_code, m.city_code, ?1, ?1
            FROM \(Self.rowsTable) s JOIN \(Self.schoolsTable) m ON m.school = s.school ORDER BY s.key
            """, [.float(now.timeIntervalSince1970)])
        let inserted = try await connection.query("SELECT changes() AS n", []).first?.column("n")?.integer ?? -1
        try await verifyReferences()
        return inserted
    }

    /// What the foreign keys would have checked row by row, checked once per school.
    private func verifyReferences() async throws {
        let broken = try await connection.query("""
            SELECT COUNT(*) AS n FROM \(Self.schoolsTable) m
            WHERE NOT EXISTS (SELECT 1 FROM \(SchoolModel.schema) s WHERE s.id = m.school_id AND s.county_code = m.county_code)
               OR NOT EXISTS (SELECT 1 FROM \(RegionModel.schema) r WHERE r.code = m.county_code)
               OR NOT EXISTS (SELECT 1 FROM \(RegionModel.schema) r WHERE r.code = m.city_code)
            """, []).first?.column("n")?.integer ?? -1
        guard broken == 0 else {
            throw AppError(.internalServerError, code: "import.broken_references", "导入中止：\(broken) 所学校在系统中的记录与其所属地区不符，未写入任何数据。请重新导入；如仍出现，请联系系统管理员")
        }
    }

    /// Stops the writer if it still runs, drops the tables, and gives the connection back as
    /// every other connection is: foreign keys on, the default journal for temporary tables.
    func close() async throws {
        continuation.finish()
        _ = try? await writer.value
        try await Self.dropTables(on: connection)
        _ = try await connection.query("PRAGMA temp.journal_mode = DELETE", [])
        _ = try await connection.query("PRAGMA foreign_keys = ON", [])
    }

    private static func dropTables(on sqlite: any SQLiteDatabase) async throws {
        _ = try await sqlite.query("DROP TABLE IF EXISTS temp.\(rowsTable)", [])
        _ = try await sqlite.query("DROP TABLE IF EXISTS temp.\(schoolsTable)", [])
    }
}
