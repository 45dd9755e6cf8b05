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
