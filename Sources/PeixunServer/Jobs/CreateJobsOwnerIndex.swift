import Fluent
import Foundation
import SQLKit

/// Every page's menu counts the user's failed jobs (待办): by owner, not by a scan of all jobs.
struct CreateJobsOwnerIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("CREATE INDEX jobs_owner_state ON jobs (owner_id, state, finished_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("DROP INDEX jobs_owner_state").run()
    }
}
