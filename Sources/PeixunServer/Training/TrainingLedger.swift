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

    let database: any SQLDatabase
    /// Stamps the records written.
    var clock: any AppClock = LiveClock()

    /// Records results; a teacher's second result in the same project replaces the first.
    func record(_ entries: [Entry]) async throws {
        guard !entries.isEmpty else { return }
        // One statement per project and 1,000 teachers, not one per record (a city's approval is 100,000+).
        for (project, group) in Dictionary(grouping: entries, by: \.projectID) {
            for chunk in group.map(\.teacherID).chunked(into: 1000) {
                try await database.delete(from: TrainingRecordModel.schema)
                    .where("project_id", .equal, project)
                    .where("teacher_id", .in, chunk)
                    .run()
            }
        }
        var insert = BulkInsert(into: TrainingRecordModel.schema, columns: ["teacher_id", "project_id", "year", "result", "created_at"], on: database)
        let now = clock.now()
        for entry in entries {
            try await insert.append([entry.teacherID, entry.projectID, entry.year, entry.result.rawValue, now])
        }
        try await insert.flush()
        try await refresh(teacherIDs: Set(entries.map(\.teacherID)))
    }

    /// Removes the records of a project (a withdrawn approval) and brings the summaries back in step,
    /// 1,000 teachers per statement (reopening a city withdraws 100,000+).
    func withdraw(teacherIDs: [Int], projectID: Int) async throws {
        guard !teacherIDs.isEmpty else { return }
        for chunk in teacherIDs.chunked(into: 1000) {
            try await database.delete(from: TrainingRecordModel.schema)
                .where("project_id", .equal, projectID)
                .where("teacher_id", .in, chunk)
                .run()
        }
        try await refresh(teacherIDs: Set(teacherIDs))
    }

    private func refresh(teacherIDs: Set<Int>) async throws {
        // In chunks: PostgreSQL takes at most 65,535 bound values per statement.
        struct County: Decodable { let county_code: String }
        var counties = Set<String>()
        // Only the teachers whose year changes are written: most of a city's approval had passed
        // before, and rewriting their rows (a new row version and an entry in each of the
        // teachers' indexes on PostgreSQL) was a third of the approval's time there (bench/README.md).
        let first: SQLQueryString = """
            (SELECT MIN(r.year) FROM training_records r WHERE r.teacher_id = teachers.id AND r.result = \(bind: TrainingResult.passed.rawValue))
            """
        let differs: SQLQueryString = database.dialect.name == "postgresql" ? "IS DISTINCT FROM" : "IS NOT"
        for chunk in Array(teacherIDs).chunked(into: 5_000) {
            try await database.raw("""
                UPDATE teachers SET first_passed_year = \(first)
                WHERE id IN \(SQLBind.group(chunk)) AND first_passed_year \(differs) \(first)
                """).run()
            for row in try await database.select().distinct().column("county_code").from(TeacherModel.schema)
                .where("id", .in, chunk).all(decoding: County.self) {
                counties.insert(row.county_code)
            }
        }
        try await ProgressRollup.rebuild(counties: Array(counties), on: database)
    }
}
