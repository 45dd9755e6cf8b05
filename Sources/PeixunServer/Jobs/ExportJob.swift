import Fluent
import Foundation
import Vapor

/// A list export too large for a request (the registry of a city, a city's untrained
/// teachers): the same file the direct download gives, written by a job into the shared upload
/// folder (any instance serves it from there) and kept a day. It writes nothing to the
/// database but its audit entry, so a run cut short simply writes the file again.
enum ExportJob {
    /// Which export, with the query string its page sent (re-read with the owner's scope when the job runs).
    enum Source: String, Codable, Sendable {
        case teachers, untrained
    }

    struct Payload: Codable, Sendable, Equatable {
        let source: Source
        let query: String
        let format: String
        let title: String
        let rows: Int
    }

    struct Result: Codable, Sendable {
        let fileName: String
        let asciiFileName: String
        let format: String
        let rows: Int
    }

    static func outputURL(jobID: Int, format: String, app: Application) -> URL {
        app.uploads.directory.appendingPathComponent("jobs", isDirectory: true).appendingPathComponent("job-\(jobID).\(format)")
    }

    /// Whether an export of `rows` rows runs as a job rather than in the request.
    static func runsAsJob(rows: Int, request: Request) -> Bool {
        rows > request.application.jobs.settings.inlineExportRows
    }

    /// Queues the export (or finds the same one of the same user still waiting or running) and
    /// answers: the job page for a browser, 202 with the job for an API client.
    static func start(_ source: Source, format: TableDownload.Format, title: String, rows: Int, request: Request) async throws -> Response {
        let user = try request.requireUser()
        let payload = Payload(source: source, query: request.url.query ?? "", format: format.rawValue, title: title, rows: rows)
        let job: JobModel
        let waiting = try await JobModel.query(on: request.db).filter(\.$ownerID == user.id).filter(\.$kind == JobKind.export.name)
            .filter(\.$state ~~ [JobModel.State.queued.rawValue, JobModel.State.running.rawValue]).limit(100).all()
        if let running = waiting.first(where: { (try? JSONDecoder().decode(Payload.self, from: Data($0.payload.utf8))) == payload }) {
            job = running
        } else {
            job = try await request.application.jobs.enqueue(
                .export, payload: payload, owner: user, address: request.clientAddress, regionCode: user.regionCode,
                phase: "排队等待导出：\(title)（\(rows) 行）", on: request.db, clock: request.clock)
            try await AuditLog.record(on: request.db, actor: AuditLog.Actor(request), action: .export, objectType: "job", objectID: String(job.id!),
                                      summary: "发起后台任务：导出\(title)（\(rows) 行）")
        }
        guard user.channel == .token else { return request.redirect(to: SiteURL.jobs(.page(.value(job.id!))).path) }
        let response = try await JobDTO(job, app: request.application).encodeResponse(status: .accepted, for: request)
        response.headers.replaceOrAdd(name: .location, value: SiteURL.jobs(.api(.value(job.id!))).path)
        return response
    }

    static func run(_ context: JobContext) async throws -> String? {
        let payload = try context.decode(Payload.self)
        guard let format = TableDownload.Format(rawValue: payload.format) else { throw AppError(.internalServerError, code: "job.payload", "任务参数无法读取（任务 \(context.jobID)）") }
        try await context.progress(done: 0, total: 3, phase: "正在读取\(payload.title)（约 \(payload.rows) 行）")
        let download: TableDownload
        switch payload.source {
        case .teachers: download = try await TeacherListController.download(query: payload.query, context: context)
        case .untrained: download = try await UntrainedExportController.download(query: payload.query, context: context)
        }
        try await context.progress(done: 1, total: 3, phase: "正在写入文件（\(download.rows.count) 行）")
        let url = outputURL(jobID: context.jobID, format: format.rawValue, app: context.app)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        // Written beside the final name and renamed at the end, so a reader never sees half a file.
        let partial = url.appendingPathExtension("partial")
        do {
            try await context.app.threadPool.runIfActive {
                _ = try? FileManager.default.removeItem(at: partial)
                try download.write(format, to: partial.path)
            }
            _ = try? FileManager.default.removeItem(at: url)
            try FileManager.default.moveItem(at: partial, to: url)
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
        try await context.progress(done: 3, total: 3, phase: "已导出")
        return try JobContext.encode(Result(fileName: download.fileName, asciiFileName: download.asciiFileName,
                                            format: format.rawValue, rows: download.rows.count))
    }

    /// The finished file as a download, or 410 once it has been cleared.
    static func fileResponse(_ job: JobModel, request: Request) async throws -> Response {
        guard let result = job.result.flatMap({ try? JSONDecoder().decode(Result.self, from: Data($0.utf8)) }) else {
            throw AppError.notFound("任务生成的文件")
        }
        let url = outputURL(jobID: job.id!, format: result.format, app: request.application)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw AppError(.gone, code: "job.file_expired", "该文件已超过保存期限（一天）被清除，请重新导出")
        }
        let mediaType = result.format == "csv"
            ? HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
            : HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        let response = try await request.fileio.asyncStreamFile(at: url.path, mediaType: mediaType)
        let encoded = (result.fileName + "." + result.format).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? result.asciiFileName
        response.headers.replaceOrAdd(name: .contentDisposition,
                                      value: "attachment; filename=\"\(result.asciiFileName).\(result.format)\"; filename*=UTF-8''\(encoded)")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }

    /// Files of export and certificate jobs older than a day (their pages then say so).
    static func sweep(app: Application, now: Date) {
        let folder = app.uploads.directory.appendingPathComponent("jobs", isDirectory: true)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names {
            let path = folder.appendingPathComponent(name).path
            if let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
               now.timeIntervalSince(modified) > 86_400 {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }
}

extension JobKind {
    static let export = JobKind(name: "export.table", label: "导出名单", retryable: true, run: ExportJob.run)
}
