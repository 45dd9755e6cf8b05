import Fluent
import Foundation
import Vapor

/// One kind of background work: its stored name, what the owner reads, whether a run cut
/// short may run again, and the work itself (which returns its result as JSON, or nil).
struct JobKind: Sendable {
    let name: String
    let label: String
    /// True when the work commits in one transaction or in idempotent steps, so that running
    /// it again after a crash finishes it without doing anything twice.
    let retryable: Bool
    let run: @Sendable (JobContext) async throws -> String?

    /// Every kind the runner knows; a stored name not listed here fails its job.
    static let all: [JobKind] = [.issueCertificates, .commitImport, .certificateBook, .export]

    static func named(_ name: String) -> JobKind? {
        all.first { $0.name == name }
    }
}

/// What a running job sees: its payload, its owner (scope and audit identity, as when the
/// owner asked), and a way to report progress at a bounded rate.
struct JobContext: Sendable {
    let app: Application
    let jobID: Int
    let payload: String
    let owner: CurrentUser
    let actor: AuditLog.Actor
    let regionCode: String?
    private let queue: JobQueue
    private let reporter: ProgressThrottle

    init(job: JobModel, app: Application, queue: JobQueue) async throws {
        guard let user = try await UserModel.find(job.ownerID, on: app.db), !user.disabled else {
            throw AppError(.forbidden, code: "job.owner_disabled", "发起该任务的账户已停用，任务未执行")
        }
        self.app = app
        jobID = job.id!
        payload = job.payload
        owner = try CurrentUser(user, channel: .session, regions: app.regions)
        actor = AuditLog.Actor(userID: user.id, username: user.username, address: job.ownerAddress, clock: app.clock)
        regionCode = job.regionCode
        self.queue = queue
        reporter = ProgressThrottle(interval: queue.settings.progressInterval)
    }

    var db: any Database { app.db }

    func decode<Payload: Decodable>(_ type: Payload.Type) throws -> Payload {
        do {
            return try JSONDecoder().decode(type, from: Data(payload.utf8))
        } catch {
            throw AppError(.internalServerError, code: "job.payload", "任务参数无法读取（任务 \(jobID)）")
        }
    }

    /// Records how far the job has got; written at most every `progressInterval`, and always
    /// when `done == total`.
    func progress(done: Int, total: Int, phase: String) async throws {
        guard reporter.shouldWrite(final: done >= total) else { return }
        try await queue.writeProgress(jobID, done: done, total: total, phase: phase, on: app.db, now: app.clock.now())
    }

    static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}

/// Lets through one write per interval (elapsed time, not the app clock, which tests fix).
final class ProgressThrottle: @unchecked Sendable {
    private let lock = NSLock()
    private let interval: Duration
    private var last: ContinuousClock.Instant?

    init(interval: TimeInterval) {
        self.interval = .milliseconds(Int(interval * 1000))
    }

    func shouldWrite(final: Bool) -> Bool {
        lock.withLock {
            let now = ContinuousClock.now
            if !final, let last, now - last < interval { return false }
            last = now
            return true
        }
    }
}
