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
        try await write(context, chunkRows: context.app.jobs.settings.exportChunkRows)
    }

    /// Reads the rows a chunk at a time and writes each straight into the file, reporting
    /// progress as the rows go: memory stays at one chunk whatever the list's length.
    /// `afterChunk` (rows done so far) lets a test stop the job in the middle, as a crash would.
    static func write(_ context: JobContext, chunkRows: Int,
                      afterChunk: @Sendable (Int) async throws -> Void = { _ in }) async throws -> String? {
        let payload = try context.decode(Payload.self)
        guard let format = TableDownload.Format(rawValue: payload.format) else { throw AppError(.internalServerError, code: "job.payload", "任务参数无法读取（任务 \(context.jobID)）") }
        try await context.progress(done: 0, total: max(1, payload.rows), phase: "正在读取\(payload.title)（约 \(payload.rows) 行）")
        let export: TableExport
        switch payload.source {
        case .teachers: export = try await TeacherListController.export(query: payload.query, context: context)
        case .untrained: export = try await UntrainedExportController.export(query: payload.query, context: context)
        }
        let url = outputURL(jobID: context.jobID, format: format.rawValue, app: context.app)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        // Written under a name of this run's own and renamed at the end, so that a reader never
        // sees half a file, and a run presumed dead (its job handed to another instance) that
        // still writes cannot mix its rows into the other's file.
        let partial = url.deletingLastPathComponent()
            .appendingPathComponent("\(url.lastPathComponent).\(UUID().uuidString.prefix(8).lowercased()).partial")
        let threads = context.app.threadPool
        let total = export.ids.count
        let written: Int
        do {
            let writer = try await threads.runIfActive { try TableFileWriter(export.layout, format: format, path: partial.path) }
            try await export.forEachChunk(size: chunkRows) { rows, done in
                try await threads.runIfActive { try writer.append(rows) }
                try await context.progress(done: done, total: total + 1, phase: "正在写入\(payload.title)：\(done) / \(total) 行")
                try await afterChunk(done)
            }
            // Past the throttle: zipping a province's sheet takes seconds, and the page should say so.
            try await context.app.jobs.writeProgress(context.jobID, done: total, total: total + 1,
                                                     phase: format == .xlsx ? "正在压缩生成 Excel 文件（\(total) 行）" : "正在完成文件",
                                                     on: context.db, now: context.app.clock.now())
            try await threads.runIfActive { try writer.finish() }
            written = writer.rows
            // rename(2) replaces the name in one step: the old file or the new, never neither.
            guard rename(partial.path, url.path) == 0 else {
                throw AppError(.internalServerError, code: "export.file", "导出文件无法保存（\(String(cString: strerror(errno)))）")
            }
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
        try await context.progress(done: total + 1, total: total + 1, phase: "已导出 \(written) 行")
        return try JobContext.encode(Result(fileName: export.layout.fileName, asciiFileName: export.layout.asciiFileName,
                                            format: format.rawValue, rows: written))
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
