import Foundation
import PeixunSheets
import Vapor

extension ImportKind {
    /// `run`, counted for `/metrics`: rows read and seconds taken, by kind and by preview or
    /// commit (web, API and background job alike; the CLI's own process is not scraped).
    func runMeasured(_ upload: ImportUploadModel, _ url: URL, _ context: ImportContext, _ dryRun: Bool, _ skipInvalid: Bool,
                     _ progress: ReadProgress?) async throws -> ImportOutcome {
        let started = ContinuousClock.now
        let outcome = try await run(upload, url, context, dryRun, skipInvalid, progress)
        context.application.operationsMetrics.recordImport(
            kind: kind, committed: !dryRun, rows: outcome.report.rows, seconds: (ContinuousClock.now - started).secondsValue)
        return outcome
    }
}
