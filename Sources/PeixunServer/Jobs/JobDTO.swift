import Foundation
import Vapor

/// `GET /api/v1/jobs/{id}`: where a job stands and, once done, what it produced.
struct JobDTO: Content {
    let id: Int
    let kind: String
    let kindLabel: String
    let state: String
    let stateLabel: String
    let done: Int
    let total: Int
    /// 0–1 once the job knows its total.
    let fraction: Double?
    let phase: String
    let attempts: Int
    let createdAt: Date
    let startedAt: Date?
    let finishedAt: Date?
    let error: String?
    let pageURL: String
    /// The file an export job made, once done.
    let fileURL: String?
    /// Set when a certificate job is done.
    let certificates: CertificateIssueJob.Result?
    /// Set when an import job is done.
    let importResult: ImportJobResult?
    /// Set when an export job is done.
    let export: ExportJob.Result?
    /// Whether its owner may queue it again from its page (it failed and may simply run again).
    let retryable: Bool

    init(_ job: JobModel, app: Application) throws {
        let state = try job.storedState()
        id = job.id!
        kind = job.kind
        kindLabel = JobKind.named(job.kind)?.label ?? job.kind
        self.state = state.rawValue
        stateLabel = state.label
        done = job.done
        total = job.total
        fraction = state == .done ? 1 : job.total > 0 ? min(1, Double(job.done) / Double(job.total)) : nil
        phase = job.phase
        attempts = job.attempts
        createdAt = job.createdAt
        startedAt = job.startedAt
        finishedAt = job.finishedAt
        error = job.error
        pageURL = SiteURL.jobs(.page(.value(id))).path
        let result = state == .done ? job.result.map { Data($0.utf8) } : nil
        fileURL = state == .done && [JobKind.certificateBook.name, JobKind.export.name].contains(job.kind) ? SiteURL.jobs(.file(.value(id))).path : nil
        certificates = job.kind == JobKind.issueCertificates.name ? result.flatMap { try? JSONDecoder().decode(CertificateIssueJob.Result.self, from: $0) } : nil
        importResult = job.kind == JobKind.commitImport.name ? result.flatMap { try? JSONDecoder().decode(ImportJobResult.self, from: $0) } : nil
        export = job.kind == JobKind.export.name ? result.flatMap { try? JSONDecoder().decode(ExportJob.Result.self, from: $0) } : nil
        retryable = state == .failed && job.retryable && JobKind.named(job.kind) != nil
    }
}
