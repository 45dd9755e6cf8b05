import Fluent
import Foundation
import PeixunCore
import SQLKit

/// The one submissions table of every workflow; the integration's rows move here from
/// `integration_submissions`. The database itself refuses a state or level the code does not know.
struct CreateSubmissions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let states = ApprovalState.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let levels = ApprovalLevel.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        try await database.schema(SubmissionModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("workflow", .string, .required)
            .field("subject_id", .int, .required)
            .field("region_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("level", .string, .required, .sql(raw: "CHECK (level IN (\(levels)))"))
            .field("state", .string, .required, .sql(raw: "CHECK (state IN (\(states)))"))
            .field("submitted_at", .datetime)
            .field("late", .bool, .required)
            .field("returned_reason", .string)
            .field("updated_by", .string)
            .field("updated_at", .datetime, .required)
            .unique(on: "workflow", "subject_id", "region_code")
            .create()
        let sql = database as! any SQLDatabase
        // A county's code ends in two digits other than 00; a city's in 00 (GB/T 2260).
        try await sql.raw("""
            INSERT INTO submissions (workflow, subject_id, region_code, level, state, submitted_at, late, returned_reason, updated_by, updated_at)
            SELECT 'integration', batch_id, region_code,
                   CASE WHEN region_code LIKE '%00' THEN 'city' ELSE 'county' END,
                   state, submitted_at, late, returned_reason, updated_by, updated_at
            FROM integration_submissions ORDER BY id
            """).run()
        try await database.schema("integration_submissions").delete()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SubmissionModel.schema).delete()
    }
}
