import Foundation
import Fluent
import PeixunCore
import SQLKit

/// The one way training results are written. It keeps each teacher's `first_passed_year`
/// and the progress rollup consistent with the records, in the caller's transaction.
struct TrainingLedger {
    struct Entry: Sendable {
        let teacherID: Int
        let projectID: Int
        let year: Int
        let result: TrainingResult
    }

    let database: any Database
    private var sql: any SQLDatabase { database as! any SQLDatabase }
    /// Stamps the records written.
    var clock: any AppClock = LiveClock()

    /// Records results; a teacher's second result in the same project replaces the first.
    func record(_ entries: [Entry]) async throws {
        guard !entries.isEmpty else { return }
        // One statement per project and 1,000 teachers on SQLite, per project on PostgreSQL (a city's approval is 100,000+).
        for (project, group) in Dictionary(grouping: entries, by: \.projectID) {
            for teachers in sql.predicates("teacher_id", in: group.map(\.teacherID)) {
                try await sql.raw("DELETE FROM training_records WHERE project_id = \(bind: project) AND \(teachers)").run()
            }
        }
        let columns = ["teacher_id", "project_id", "year", "result", "created_at"]
        let now = clock.now()
        // `COPY` on PostgreSQL, SQLite's binds directly: a multi-row INSERT of 1,000 records
        // took PostgreSQL 70 ms to parse (bench/README.md).
        var insert = PlainBulkInsert(into: TrainingRecordModel.schema, columns: columns, on: database)
        for entry in entries {
            try await insert.append([.integer(entry.teacherID), .integer(entry.projectID), .integer(entry.year), .text(entry.result.rawValue), .date(now)])
        }
        try await insert.flush()
        try await refresh(teacherIDs: Set(entries.map(\.teacherID)))
    }

    /// A teacher an approval read in its own transaction and found without a record of the
    /// project, with the entry the record comes from.
    struct Unrecorded: Sendable {
        let teacherID: Int
        let countyCode: String
        let firstPassedYear: Int?
        let integrationEntryID: Int
    }

    /// Passed records for teachers known to have none of the project: no look-up of earlier
    /// records, and only the teachers whose first passed year moves (and their counties'
    /// rollups) are written — on PostgreSQL every other teacher's row would be read again for
    /// nothing (bench/README.md).
    func recordPassed(_ teachers: [Unrecorded], projectID: Int, year: Int) async throws {
        guard !teachers.isEmpty else { return }
        let now = clock.now()
        var insert = PlainBulkInsert(into: TrainingRecordModel.schema,
                                     columns: ["teacher_id", "project_id", "year", "result", "created_at", "integration_entry_id"], on: database)
        for teacher in teachers {
            try await insert.append([.integer(teacher.teacherID), .integer(projectID), .integer(year),
                                     .text(TrainingResult.passed.rawValue), .date(now), .integer(teacher.integrationEntryID)])
        }
        try await insert.flush()
        let earlier = teachers.filter { $0.firstPassedYear.map { $0 > year } ?? true }
        // The condition again in SQL: a year another transaction lowered since the read stays.
        for ids in sql.predicates("id", in: earlier.map(\.teacherID)) {
            try await sql.raw("""
                UPDATE teachers SET first_passed_year = \(bind: year)
                WHERE \(ids) AND (first_passed_year IS NULL OR first_passed_year > \(bind: year))
                """).run()
        }
        try await ProgressRollup.rebuild(counties: Array(Set(earlier.map(\.countyCode))), on: sql)
    }

    /// Withdraws the records written from these integration entries (a reopened approval) and
    /// brings the summaries back in step; returns how many.
    func withdrawRecords(ofEntries entries: SQLQueryString) async throws -> Int {
        struct Withdrawn: Decodable { let teacher_id: Int }
        let withdrawn = try await sql.raw("""
            DELETE FROM training_records WHERE integration_entry_id IN (\(entries)) RETURNING teacher_id
            """).all(decoding: Withdrawn.self)
        try await refresh(teacherIDs: Set(withdrawn.map(\.teacher_id)))
        return withdrawn.count
    }

    /// Removes the records of a project (a withdrawn approval) and brings the summaries back in step,
    /// 1,000 teachers per statement on SQLite (reopening a city withdraws 100,000+).
    func withdraw(teacherIDs: [Int], projectID: Int) async throws {
        guard !teacherIDs.isEmpty else { return }
        for teachers in sql.predicates("teacher_id", in: teacherIDs) {
            try await sql.raw("DELETE FROM training_records WHERE project_id = \(bind: projectID) AND \(teachers)").run()
        }
        try await refresh(teacherIDs: Set(teacherIDs))
    }

    private func refresh(teacherIDs: Set<Int>) async throws {
        // In chunks on SQLite (`predicates`); PostgreSQL takes the ids as one array.
        struct County: Decodable { let county_code: String }
        var counties = Set<String>()
        // Only the teachers whose year changes are written: most of a city's approval had passed
        // before, and rewriting their rows (a new row version and an entry in each of the
        // teachers' indexes on PostgreSQL) was a third of the approval's time there (bench/README.md).
        let first: SQLQueryString = """
            (SELECT MIN(r.year) FROM training_records r WHERE r.teacher_id = teachers.id AND r.result = \(bind: TrainingResult.passed.rawValue))
            """
        let differs: SQLQueryString = sql.dialect.name == "postgresql" ? "IS DISTINCT FROM" : "IS NOT"
        for teachers in sql.predicates("id", in: Array(teacherIDs), chunk: 5_000) {
            try await sql.raw("""
                UPDATE teachers SET first_passed_year = \(first)
                WHERE \(teachers) AND first_passed_year \(differs) \(first)
                """).run()
            for row in try await sql.raw("SELECT DISTINCT county_code FROM teachers WHERE \(teachers)").all(decoding: County.self) {
                counties.insert(row.county_code)
            }
        }
        try await ProgressRollup.rebuild(counties: Array(counties), on: sql)
    }
}
