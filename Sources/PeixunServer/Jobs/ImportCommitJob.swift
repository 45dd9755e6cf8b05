import Fluent
import Foundation
import PeixunSheets
import Vapor

/// The commit of a parked upload (a province's roster) as a job. The importers write
/// everything in one transaction, so a run cut short leaves nothing and simply runs again;
/// a second run of a committed file finds every row unchanged.
enum ImportCommitJob {
    struct Payload: Codable, Sendable {
        let uploadID: Int
        let kind: String
        let skipInvalid: Bool
    }

    static func enqueue(_ upload: ImportUploadModel, kind: ImportKind, skipInvalid: Bool, request: Request) async throws -> JobModel {
        let user = try request.requireUser()
        let job = try await request.application.jobs.enqueue(
            .commitImport, payload: Payload(uploadID: upload.id!, kind: kind.kind, skipInvalid: skipInvalid), owner: user,
            address: request.clientAddress, regionCode: user.regionCode, phase: "排队等待写入：\(upload.fileName)", on: request.db, clock: request.clock)
        try await AuditLog.record(on: request.db, actor: AuditLog.Actor(request), action: .create, objectType: "job", objectID: String(job.id!),
                                  summary: "发起后台任务：\(kind.title)（\(upload.fileName)）")
        return job
    }

    static func run(_ context: JobContext) async throws -> String? {
        let payload = try context.decode(Payload.self)
        guard let kind = ImportKind.named(payload.kind) else {
            throw AppError(.internalServerError, code: "job.payload", "未知的导入类型 \(payload.kind)")
        }
        // Asked again when the job runs: the owner's account may have been moved since.
        guard kind.roles.contains(context.owner.role), !kind.topOfficeOnly || context.owner.isTopOffice else {
            throw AppError(.forbidden, code: "job.not_permitted", "发起该任务的账户已无权导入此类名单，任务未执行")
        }
        guard let upload = try await ImportUploadModel.query(on: context.db).filter(\.$id == payload.uploadID)
            .filter(\.$userID == context.owner.id).first() else {
            throw AppError(.notFound, code: "job.upload_gone",
                           "上传的文件已不存在（已在此前的执行中导入，或已超过一天被清除）；请在审计日志中查看该文件的导入记录，必要时重新上传")
        }
        let progress = ReadProgress()
        let follower = Task {
            let labels: [ReadProgress.Phase: String] = [.reading: "正在读取并逐行检查", .checking: "正在与名册核对", .writing: "正在写入数据库"]
            while !Task.isCancelled {
                let snapshot = progress.snapshot()
                let permille = Int(((snapshot.fraction ?? 0) * 1000).rounded())
                let label = "\(labels[snapshot.phase] ?? "正在处理")：已读 \(snapshot.rows.formatted(.number.grouping(.automatic))) 行"
                try? await context.progress(done: min(permille, 999), total: 1000, phase: label)
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        defer { follower.cancel() }
        let outcome = try await kind.runStored(upload, context: ImportContext(context), dryRun: false, skipInvalid: payload.skipInvalid,
                                               progress: progress)
        follower.cancel()
        if outcome.report.committed { try await upload.delete(on: context.db) }
        // The job row keeps the counts and the first errors; the error workbook is the preview's.
        var report = outcome.report
        let errorCount = report.errors.count
        report.errors = Array(report.errors.prefix(200))
        report.notes = Array(report.notes.prefix(200))
        return try JobContext.encode(ImportJobResult(title: kind.title, fileName: upload.fileName, report: report, errorCount: errorCount,
                                                     refusedRows: Set(outcome.report.errors.map(\.row)).count,
                                                     formURL: SiteURL.imports(.form(kind.route)).path))
    }
}

/// What an import job leaves for its page and API.
struct ImportJobResult: Codable, Sendable {
    let title: String
    let fileName: String
    /// The counts, with the first 200 errors and notes.
    let report: ImportReport
    let errorCount: Int
    let refusedRows: Int
    let formURL: String
}

extension JobKind {
    static let commitImport = JobKind(name: "import.commit", label: "导入并写入数据库", retryable: true, run: ImportCommitJob.run)
}
