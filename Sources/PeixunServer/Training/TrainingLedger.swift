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
        let now = Date()
        for entry in entries {
            try await insert.append([entry.teacherID, entry.projectID, entry.year, entry.result.rawValue, now])
        }
        try await insert.flush()
        try await refresh(teacherIDs: Set(entries.map(\.teacherID)))
    }

    /// Removes records (a withdrawn approval) and brings the summaries back in step.
    func withdraw(teacherID: Int, projectID: Int) async throws {
        try await database.delete(from: TrainingRecordModel.schema)
            .where("teacher_id", .equal, teacherID)
            .where("project_id", .equal, projectID)
            .run()
        try await refresh(teacherIDs: [teacherID])
    }

    private func refresh(teacherIDs: Set<Int>) async throws {
        let ids = Array(teacherIDs)
        for chunk in stride(from: 0, to: ids.count, by: 5_000).map({ Array(ids[$0..<min($0 + 5_000, ids.count)]) }) {
            try await database.raw("""
                UPDATE teachers SET first_passed_year = (
                    SELECT MIN(r.year) FROM training_records r
                    WHERE r.teacher_id = teachers.id AND r.result = \(bind: TrainingResult.passed.rawValue))
                WHERE id IN \(SQLBind.group(chunk))
                """).run()
        }
        struct County: Decodable { let county_code: String }
        let counties = try await database.select().distinct().column("county_code")
            .from(TeacherModel.schema).where("id", .in, ids)
            .all(decoding: County.self).map(\.county_code)
        try await ProgressRollup.rebuild(counties: counties, on: database)
    }
}
