import Fluent
import Foundation
import Vapor

/// The job page (refreshes itself while the job runs: a `Refresh` header, no script), its
/// JSON, and the file an export job made. Only the owner and the province see a job; for
/// anyone else it does not exist.
struct JobsController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.jobs(.page(.key)), use: page)
        routes.get(.jobs(.api(.key)), use: api)
        routes.get(.jobs(.file(.key)), use: file)
        bootList(routes: routes)
    }

    static let refreshSeconds = 2

    private func find(_ request: Request) async throws -> JobModel {
        let user = try request.requireUser()
        guard let id = request.parameters.get(.jobID, as: Int.self), let job = try await JobModel.find(id, on: request.db),
              job.ownerID == user.id || user.isTopOffice else { throw AppError.notFound("任务") }
        return job
    }

    @Sendable func api(request: Request) async throws -> JobDTO {
        try JobDTO(try await find(request), app: request.application)
    }

    @Sendable func page(request: Request) async throws -> Response {
        let dto = try JobDTO(try await find(request), app: request.application)
        let finished = dto.state == JobModel.State.done.rawValue || dto.state == JobModel.State.failed.rawValue
        let response = try await request.renderPage("job", JobPage(dto)).encodeResponse(for: request)
        if !finished { response.headers.replaceOrAdd(name: "Refresh", value: String(Self.refreshSeconds)) }
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    @Sendable func file(request: Request) async throws -> Response {
        let job = try await find(request)
        if try job.storedState() == .done, job.kind == JobKind.export.name { return try await ExportJob.fileResponse(job, request: request) }
        guard try job.storedState() == .done, job.kind == JobKind.certificateBook.name,
              let result = job.result.flatMap({ try? JSONDecoder().decode(CertificateBookJob.Result.self, from: Data($0.utf8)) }) else {
            throw AppError.notFound("任务生成的文件")
        }
        let url = CertificateBookJob.outputURL(jobID: job.id!, app: request.application)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw AppError(.gone, code: "job.file_expired", "该文件已超过保存期限（一天）被清除，请重新生成")
        }
        let response = try await request.fileio.asyncStreamFile(at: url.path, mediaType: HTTPMediaType(type: "application", subType: "pdf"))
        let encoded = (result.title + ".pdf").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "certificates.pdf"
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"certificates.pdf\"; filename*=UTF-8''\(encoded)")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }
}

/// The job page: a bar while it runs, the outcome in sentences when it is done.
struct JobPage: Encodable, Sendable {
    struct Link: Encodable, Sendable { let label: String; let url: String }
    let pageTitle: String
    let job: JobDTO
    let running: Bool
    let failed: Bool
    let percent: Int?
    let lines: [String]
    let links: [Link]
    let refreshSeconds = JobsController.refreshSeconds
    let retryURL: String
    let listURL = SiteURL.jobs(.list()).path

    init(_ job: JobDTO) {
        self.job = job
        retryURL = SiteURL.jobs(.retry(.value(job.id))).path
        pageTitle = "后台任务：" + job.kindLabel
        failed = job.state == JobModel.State.failed.rawValue
        running = !failed && job.state != JobModel.State.done.rawValue
        percent = job.fraction.map { Int(($0 * 100).rounded(.down)) }
        var lines: [String] = []
        var links: [Link] = []
        if let result = job.certificates {
            let outcome = result.outcome
            lines.append("\(result.regionName)：本次签发 \(outcome.issued) 张；此前已有证书 \(outcome.alreadyIssued) 人；尚不符合结业条件 \(outcome.notEligible) 人。")
            links.append(Link(label: "返回结业证书", url: result.registerURL))
        }
        if let result = job.importResult {
            let report = result.report
            lines.append("\(result.fileName)：共 \(report.rows) 行，正确 \(report.valid) 行（新增 \(report.created)，更新 \(report.updated)，未变 \(report.unchanged)），出错 \(result.refusedRows) 行。")
            lines.append(report.committed ? "已写入数据库，并记入审计日志（文件 SHA-256：\(report.sha256)）。" : "有行出错，未写入任何数据；请修改后重新上传。")
            links.append(Link(label: "返回\(result.title)", url: result.formURL))
        }
        if let result = job.export {
            lines.append("已导出 \(result.rows) 行：\(result.fileName).\(result.format)（文件保留一天）。")
        }
        if let fileURL = job.fileURL {
            links.append(Link(label: job.export.map { $0.format == "csv" ? "下载 CSV 文件" : "下载 Excel 文件" } ?? "下载 PDF", url: fileURL))
        }
        self.lines = lines
        self.links = links
    }
}
