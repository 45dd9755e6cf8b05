import Fluent
import Foundation
import SQLKit

struct CreateJobs: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(JobModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("kind", .string, .required)
            .field("state", .string, .required, .sql(raw: "CHECK (state IN ('queued', 'running', 'done', 'failed'))"))
            .field("payload", .string, .required)
            .field("result", .string)
            .field("done", .int, .required)
            .field("total", .int, .required)
            .field("phase", .string, .required)
            .field("owner_id", .int, .required, .references(UserModel.schema, .id, onDelete: .cascade))
            .field("owner_address", .string, .required)
            .field("region_code", .string)
            .field("attempts", .int, .required)
            .field("retryable", .bool, .required)
            .field("locked_by", .string)
            .field("heartbeat_at", .datetime)
            .field("created_at", .datetime, .required)
            .field("started_at", .datetime)
            .field("finished_at", .datetime)
            .field("error", .string)
            .create()
        // The runner's claim reads the oldest queued job; the page reads one by id.
        try await (database as! any SQLDatabase).raw("CREATE INDEX jobs_state_id ON jobs (state, id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(JobModel.schema).delete()
    }
}
