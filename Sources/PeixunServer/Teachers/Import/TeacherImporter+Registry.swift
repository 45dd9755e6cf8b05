import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import PeixunCore
import SQLKit

/// The registry look-ups of a roster import, whose cost follows the file, not the registry:
/// a province's roster re-imported into the national registry (25 provinces, 18.4 million
/// teachers) used to read every registered teacher to find its 737,686 (396 s against 38.7 s
/// in a registry of that province alone, bench/README.md).
extension TeacherImporter {
    /// A registered teacher the roster names again, compact (a whole province may be re-imported).
    struct ExistingTeacher: Sendable {
        let id: Int
        let name: String
        let mobile: String?
        let schoolID: Int
        let stage: Stage?
        let countyCode: String
    }

    /// The registered teachers among `ids`, and where each is in the returned list.
    struct Registered: Sendable {
        var byID: [Int64: Int32] = [:]
        var teachers: [ExistingTeacher] = []

        /// Room for every ID the file holds: growing by doubling held the old and the new
        /// storage at once (tens of megabytes for a province), while reserved pages that no
        /// teacher fills are never touched and cost nothing.
        init(capacity: Int) {
            byID.reserveCapacity(capacity)
            teachers.reserveCapacity(capacity)
        }

        mutating func take(_ key: Int64, _ teacher: ExistingTeacher) {
            byID[key] = Int32(teachers.count)
            teachers.append(teacher)
        }
    }

    /// IDs per look-up: few enough for SQLite's bind limit, many enough that a province's
    /// roster needs ~150 round trips.
    static let lookupChunk = 5_000

    /// Looks the roster's IDs up through the unique index on `resident_id`, in ID order so that
    /// consecutive look-ups walk the index (and a province's teachers, loaded together) in order.
    /// Rows are read from the drivers' values directly: SQLKit's row decoder cost 10 s for a
    /// province on SQLite.
    func registeredTeachers(withIDs ids: [Int64]) async throws -> Registered {
        if let sqlite = database as? any SQLiteDatabase, try await !Self.hasTeachers(atLeast: ids.count * 3 / 2, on: database) {
            return try await scanRegistry(sqlite, for: Set(ids))
        }
        var registered = Registered(capacity: ids.count)
        let sorted = ids.sorted()
        for start in stride(from: 0, to: sorted.count, by: Self.lookupChunk) {
            let chunk = sorted[start..<min(start + Self.lookupChunk, sorted.count)].map { ResidentID(packed: $0).value }
            if let sqlite = database as? any SQLiteDatabase {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try await sqlite.query(
                    "SELECT id, resident_id, name, mobile, school_id, stage, county_code FROM teachers WHERE resident_id IN (\(marks))",
                    chunk.map(SQLiteData.text))
                for row in rows {
                    guard let resident = row.column("resident_id")?.string, let key = ResidentID(canonical: resident)?.packed,
                          let teacher = Self.existingTeacher(row) else { continue }
                    registered.take(key, teacher)
                }
            } else if let postgres = database as? any PostgresDatabase {
                let logger = database.logger
                let found = try await postgres.withConnection { connection in
                    connection.eventLoop.makeFutureWithTask {
                        var found: [(Int64, ExistingTeacher)] = []
                        var binds = PostgresBindings()
                        binds.append(chunk)
                        let rows = try await connection.query(PostgresQuery(
                            unsafeSQL: "SELECT id, resident_id, name, mobile, school_id, stage, county_code FROM teachers WHERE resident_id = ANY($1)",
                            binds: binds), logger: logger)
                        for try await (id, resident, name, mobile, school, stage, county)
                            in rows.decode((Int, String, String, String?, Int, String, String).self) {
                            guard let key = ResidentID(canonical: resident)?.packed else { continue }
                            found.append((key, ExistingTeacher(id: id, name: name, mobile: mobile, schoolID: school,
                                                               stage: Stage(rawValue: stage), countyCode: county)))
                        }
                        return found
                    }
                }.get()
                for (key, teacher) in found { registered.take(key, teacher) }
            } else {
                preconditionFailure("teachers: neither SQLite nor PostgreSQL")
            }
        }
        return registered
    }

    /// On SQLite one pass over a registry not much larger than the file beats the look-ups
    /// (a province's roster again into that province alone: 4.3 s against 6.6 s), a page of
    /// 20,000 rows at a time so that memory stays bounded.
    private func scanRegistry(_ sqlite: any SQLiteDatabase, for wanted: Set<Int64>) async throws -> Registered {
        var registered = Registered(capacity: wanted.count)
        var after = 0
        while true {
            let page = try await sqlite.query(
                "SELECT id, resident_id, name, mobile, school_id, stage, county_code FROM teachers WHERE id > ? ORDER BY id LIMIT 20000",
                [.integer(after)])
            for row in page {
                guard let resident = row.column("resident_id")?.string, let key = ResidentID(canonical: resident)?.packed,
                      wanted.contains(key), let teacher = Self.existingTeacher(row) else { continue }
                registered.take(key, teacher)
            }
            guard page.count == 20_000, let last = page.last?.column("id")?.integer else { break }
            after = last
        }
        return registered
    }

    private static func existingTeacher(_ row: SQLiteRow) -> ExistingTeacher? {
        guard let id = row.column("id")?.integer, let name = row.column("name")?.string, let school = row.column("school_id")?.integer,
              let stage = row.column("stage")?.string, let county = row.column("county_code")?.string else { return nil }
        return ExistingTeacher(id: id, name: name, mobile: row.column("mobile")?.string, schoolID: school, stage: Stage(rawValue: stage), countyCode: county)
    }

    /// The counties among `codes` that already have teachers: one index probe each, where
    /// `SELECT DISTINCT county_code` read every teacher of the province.
    func countiesWithTeachers(_ codes: [String]) async throws -> Set<String> {
        let sql = database as! any SQLDatabase
        struct CountyRow: Decodable { let code: String }
        var found = Set<String>()
        for chunk in codes.chunked(into: 200) {
            for row in try await sql.raw("""
                SELECT r.code FROM \(ident: RegionModel.schema) r WHERE r.code IN \(SQLBind.group(chunk))
                AND EXISTS (SELECT 1 FROM \(ident: TeacherModel.schema) t WHERE t.county_code = r.code)
                """).all(decoding: CountyRow.self) {
                found.insert(row.code)
            }
        }
        return found
    }

    /// Whether the registry holds at least `count` teachers (1: any at all, and a first load
    /// then needs no look-ups). Counted no further than `count`: counting 18 million rows
    /// takes seconds on either database.
    static func hasTeachers(atLeast count: Int = 1, on database: any Database) async throws -> Bool {
        struct Row: Decodable { let n: Int }
        return try await (database as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM (SELECT 1 FROM teachers LIMIT \(bind: count)) AS t")
            .first(decoding: Row.self)?.n ?? 0 >= count
    }
}
