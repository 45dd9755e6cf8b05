import Fluent
import SQLKit

/// The hook behind `peixun_job_queue_depth` and `peixun_jobs_running`: the background jobs
/// waiting and running, read from the `jobs` table (`Jobs/JobModel.swift`) at each scrape.
/// Without that table (a database from before it) the query fails and the gauges keep 0.
enum JobQueueDepth {
    struct Counts: Sendable, Equatable {
        var queued = 0
        var running = 0
    }

    static func count(on database: any Database) async throws -> Counts {
        struct Row: Decodable { let state: String; let n: Int }
        guard let sql = database as? any SQLDatabase else { return Counts() }
        let rows = try await sql.raw("SELECT state, COUNT(*) AS n FROM jobs WHERE state IN ('queued', 'running') GROUP BY state")
            .all(decoding: Row.self)
        var counts = Counts()
        for row in rows {
            if row.state == "queued" { counts.queued = row.n } else { counts.running = row.n }
        }
        return counts
    }
}
