import Foundation
import PeixunDocuments
import Vapor

/// A county's or school's certificates as one PDF, drawn by a job into the shared upload
/// folder (any instance serves it from there) and kept a day. It writes nothing to the
/// database, so a run cut short simply draws the file again.
enum CertificateBookJob {
    struct Payload: Codable, Sendable {
        let region: String?
        let school: Int?
    }

    struct Result: Codable, Sendable {
        let title: String
        let pages: Int
    }

    static func outputURL(jobID: Int, app: Application) -> URL {
        app.uploads.directory.appendingPathComponent("jobs", isDirectory: true).appendingPathComponent("job-\(jobID).pdf")
    }

    static func run(_ context: JobContext) async throws -> String? {
        let payload = try context.decode(Payload.self)
        let (title, snapshots) = try await CertificatesController.bookContents(
            region: payload.region, school: payload.school, scope: context.owner.scope, database: context.db, regions: context.app.regions)
        try await context.progress(done: 0, total: snapshots.count, phase: "正在生成 \(snapshots.count) 张证书的 PDF")
        let url = outputURL(jobID: context.jobID, app: context.app)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        // Drawn beside the final name and renamed at the end, so a reader never sees half a file.
        let partial = url.appendingPathExtension("partial")
        FileManager.default.createFile(atPath: partial.path, contents: nil, attributes: [.posixPermissions: 0o600])
        let handle = try FileHandle(forWritingTo: partial)
        let today = context.app.clock.today()
        do {
            try await context.app.threadPool.runIfActive {
                try CertificateDocument.book(snapshots, title: title, date: today, to: handle)
                try handle.close()
            }
            _ = try? FileManager.default.removeItem(at: url)
            try FileManager.default.moveItem(at: partial, to: url)
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
        try await context.progress(done: snapshots.count, total: snapshots.count, phase: "已生成")
        return try JobContext.encode(Result(title: title, pages: snapshots.count))
    }
}

extension JobKind {
    static let certificateBook = JobKind(name: "certificates.book", label: "生成证书打印文件", retryable: true, run: CertificateBookJob.run)
}
