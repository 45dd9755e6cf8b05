import Fluent
import Foundation
import SQLKit
import Vapor

/// The job table as a queue: enqueue, claim, run, recover. One per application; the serving
/// instance polls it (`JobRunnerLifecycle`), tests and commands drain it with `runPending()`.
///
/// Claiming is one statement: on PostgreSQL the oldest queued row is taken with
/// `FOR UPDATE SKIP LOCKED`, so two instances never take the same job and neither waits for
/// the other; SQLite has one writer, so the same `UPDATE … RETURNING` is atomic there.
final class JobQueue: @unchecked Sendable {
    struct Settings: Sendable {
        var pollInterval: Duration = .seconds(1)
        /// A running job's instance stamps it this often…
        var heartbeatInterval: TimeInterval = 5
        /// …and a job whose stamp is older than this is considered abandoned (its instance died).
        var staleAfter: TimeInterval = 30
        /// Progress is written at most this often, however often the work reports it.
        var progressInterval: TimeInterval = 0.25
        /// A retryable job that was cut short this many times is failed instead.
        var maxAttempts = 3
        /// An import upload larger than this is committed as a job rather than in the request.
        var inlineImportBytes = 2_000_000
        /// An export of more rows than this is written by a job rather than in the request.
        var inlineExportRows = 50_000
        /// An export reads and writes this many rows at a time (`TableExport`); tests make it small.
        var exportChunkRows = 2_000
    }

    /// Who claims: host, process and a random part, so a restarted process is a new instance.
    let instanceID: String
    private let lock = NSLock()
    private var _settings = Settings()
    private var poller: Task<Void, Never>?

    init() {
        let host = ProcessInfo.processInfo.hostName.prefix(40)
        instanceID = "\(host)-\(getpid())-\(UUID().uuidString.prefix(8).lowercased())"
    }

    var settings: Settings {
        get { lock.withLock { _settings } }
        set { lock.withLock { _settings = newValue } }
    }

    // MARK: Enqueue

    /// Queues a job for `owner`; the page `/jobs/{id}` shows it.
    func enqueue(_ kind: JobKind, payload: some Encodable, owner: CurrentUser, address: String, regionCode: String?,
                 phase: String = "排队等待执行", on database: any Database, clock: any AppClock) async throws -> JobModel {
        let job = JobModel()
        job.kind = kind.name
        job.state = JobModel.State.queued.rawValue
        job.payload = String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
        job.done = 0
        job.total = 0
        job.phase = phase
        job.ownerID = owner.id
        job.ownerAddress = address
        job.regionCode = regionCode
        job.attempts = 0
        job.retryable = kind.retryable
        job.createdAt = clock.now()
        try await job.create(on: database)
        return job
    }

    // MARK: Claim and run

    /// Takes the oldest queued job for this instance, or nil when there is none.
    func claim(on database: any Database, now: Date) async throws -> Int? {
        let sql = database as! any SQLDatabase
        struct Claimed: Decodable { let id: Int }
        let skipLocked: SQLQueryString = sql.dialect.name == "postgresql" ? "FOR UPDATE SKIP LOCKED" : ""
        return try await sql.raw("""
            UPDATE jobs SET state = 'running', locked_by = \(bind: instanceID), heartbeat_at = \(bind: now),
                started_at = COALESCE(started_at, \(bind: now)), attempts = attempts + 1, phase = '开始执行'
            WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1 \(skipLocked)) AND state = 'queued'
            RETURNING id
            """).first(decoding: Claimed.self)?.id
    }

    /// Runs queued jobs one after another in the caller until none is left; returns how many ran.
    /// The serving instance does the same in the background; tests call this instead of waiting.
    @discardableResult
    func runPending(_ app: Application) async throws -> Int {
        var count = 0
        // A job derives its owner's scope from the region tree: never from one the database has left behind.
        _ = try await app.nationalRegionsAreCurrent()
        while let id = try await claim(on: app.db, now: app.clock.now()) {
            await execute(id, app: app)
            count += 1
        }
        return count
    }

    /// Runs one claimed job to its end: done with its result, or failed with a Chinese reason.
    /// Every write is conditioned on still holding the job, so an instance that was presumed
    /// dead (and whose job was handed to another) cannot overwrite the other's outcome.
    func execute(_ id: Int, app: Application) async {
        let db = app.db
        // Only other instances read the stamp. A SQLite database has one instance, which
        // knows what it runs; and its stamp would wait for the job's own write lock.
        let heartbeat = app.config.storage.isSQLite ? nil : Task { [instanceID, settings] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(settings.heartbeatInterval))
                guard !Task.isCancelled else { break }
                try? await JobModel.query(on: db).filter(\.$id == id).filter(\.$lockedBy == instanceID)
                    .set(\.$heartbeatAt, to: app.clock.now()).update()
            }
        }
        defer { heartbeat?.cancel() }
        let outcome: Result<String?, any Error>
        do {
            guard let job = try await JobModel.find(id, on: db) else { return }
            guard let kind = JobKind.named(job.kind) else {
                throw AppError(.internalServerError, code: "job.unknown_kind", "未知的任务类型 \(job.kind)")
            }
            let context = try await JobContext(job: job, app: app, queue: self)
            outcome = .success(try await kind.run(context))
        } catch {
            outcome = .failure(error)
        }
        let now = app.clock.now()
        let query = JobModel.query(on: db).filter(\.$id == id).filter(\.$lockedBy == instanceID).filter(\.$state == JobModel.State.running.rawValue)
            .set(\.$finishedAt, to: now).set(\.$lockedBy, to: nil)
        switch outcome {
        case .success(let result):
            try? await query.set(\.$state, to: JobModel.State.done.rawValue).set(\.$result, to: result)
                .set(\.$phase, to: JobModel.State.done.label).update()
        case .failure(let error):
            app.logger.report(error: error)
            try? await query.set(\.$state, to: JobModel.State.failed.rawValue).set(\.$error, to: Self.message(for: error))
                .set(\.$phase, to: JobModel.State.failed.label).update()
        }
    }

    /// What the owner reads about a failure: an `AppError`'s sentence, else a generic one.
    static func message(for error: any Error) -> String {
        if let error = error as? AppError { return error.reason }
        if let error = error as? any AbortError { return error.reason }
        return "任务执行出错，已写入的部分整体撤销，未做任何改动。请稍后重试或联系管理员。"
    }

    /// Writes progress if the last write is older than `progressInterval` (or `force`).
    func writeProgress(_ id: Int, done: Int, total: Int, phase: String, on database: any Database, now: Date) async throws {
        try await JobModel.query(on: database).filter(\.$id == id).filter(\.$lockedBy == instanceID)
            .set(\.$done, to: done).set(\.$total, to: total).set(\.$phase, to: String(phase.prefix(200)))
            .set(\.$heartbeatAt, to: now).update()
    }

    // MARK: Recovery

    /// Jobs whose instance stopped stamping them: run again if their work is all-or-nothing
    /// or idempotent (and they have not been cut short too often), else failed with a reason.
    /// `everyRunning` treats every running job as abandoned: a SQLite database has one
    /// instance, so at its start whatever is running belonged to a process that is gone.
    @discardableResult
    func recover(on database: any Database, now: Date, everyRunning: Bool = false) async throws -> (requeued: Int, failed: Int) {
        var abandoned = JobModel.query(on: database).filter(\.$state == JobModel.State.running.rawValue)
        if !everyRunning {
            abandoned = abandoned.group(.or) { group in
                group.filter(\.$heartbeatAt == nil).filter(\.$heartbeatAt < now.addingTimeInterval(-settings.staleAfter))
            }
        }
        var requeued = 0, failed = 0
        for job in try await abandoned.all() {
            let update = JobModel.query(on: database).filter(\.$id == job.id!).filter(\.$state == JobModel.State.running.rawValue)
                .set(\.$lockedBy, to: nil)
            if job.retryable && job.attempts < settings.maxAttempts {
                try await update.set(\.$state, to: JobModel.State.queued.rawValue)
                    .set(\.$phase, to: "服务曾中断，已重新排队（第 \(job.attempts + 1) 次执行）").update()
                requeued += 1
            } else {
                let reason = job.retryable
                    ? "任务已中断 \(job.attempts) 次，不再自动重试；已写入的部分均为完整的步骤，可重新发起以完成其余部分。"
                    : "任务执行中服务中断；该任务不能自动重做，未完成的部分已整体撤销，请重新发起。"
                try await update.set(\.$state, to: JobModel.State.failed.rawValue).set(\.$error, to: reason)
                    .set(\.$phase, to: JobModel.State.failed.label).set(\.$finishedAt, to: now).update()
                failed += 1
            }
        }
        return (requeued, failed)
    }

    // MARK: Polling

    /// Starts the background loop of a serving instance: recover, then claim and run.
    func startPolling(_ app: Application) {
        let singleInstance = app.config.storage.isSQLite
        let task = Task { [settings] in
            try? await recover(on: app.db, now: app.clock.now(), everyRunning: singleInstance)
            var lastRecovery = ContinuousClock.now
            while !Task.isCancelled {
                do {
                    if ContinuousClock.now - lastRecovery > .seconds(settings.staleAfter / 2) {
                        // On SQLite (one instance, no stamps) whatever runs is this process's own.
                        if !singleInstance { try await recover(on: app.db, now: app.clock.now()) }
                        ExportJob.sweep(app: app, now: app.clock.now())
                        lastRecovery = ContinuousClock.now
                    }
                    // A job derives its owner's scope from the region tree: never from one the database has left behind.
                    if try await app.nationalRegionsAreCurrent(), let id = try await claim(on: app.db, now: app.clock.now()) {
                        await execute(id, app: app)
                        continue
                    }
                } catch {
                    app.logger.warning("任务队列轮询出错：\(String(describing: error))")
                }
                try? await Task.sleep(for: settings.pollInterval)
            }
        }
        lock.withLock { poller = task }
    }

    func stopPolling() async {
        let task = lock.withLock { () -> Task<Void, Never>? in
            defer { poller = nil }
            return poller
        }
        task?.cancel()
        await task?.value
    }
}

/// Polls the job table while the app serves (`peixun serve` only: commands and tests drain
/// the queue themselves).
struct JobRunnerLifecycle: LifecycleHandler {
    func didBootAsync(_ application: Application) async throws {
        application.jobs.startPolling(application)
    }

    func shutdownAsync(_ application: Application) async {
        await application.jobs.stopPolling()
    }
}

private struct JobQueueKey: StorageKey { typealias Value = JobQueue }

extension Application {
    /// Set once in `configure`.
    var jobs: JobQueue {
        get { storage[JobQueueKey.self]! }
        set { storage[JobQueueKey.self] = newValue }
    }
}
