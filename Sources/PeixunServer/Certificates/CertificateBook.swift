import Fluent
import Foundation
import PeixunCore
import PeixunDocuments
import Vapor

extension CertificatesController {
    /// At most this many pages in one print file; a bigger county prints school by school.
    static let maximumBookPages = 5_000

    struct BookQuery: Decodable {
        var region: String?
        var school: Int?
    }

    /// The valid certificates of a county or of one school as one PDF, a page each, in number
    /// order. Drawn into a file (cairo writes each page as it is drawn) and streamed from there.
    /// What a book prints: its title and the valid certificates of the county or school, in
    /// number order, as far as `scope` reaches.
    static func bookContents(region: String?, school: Int?, scope: RegionScope, database: any Database,
                             regions: RegionDirectory) async throws -> (title: String, snapshots: [CertificateSnapshot]) {
        var certificates = CertificateModel.query(on: database).scoped(to: scope)
            .filter(\.$storedStatus == CertificateStatus.valid.rawValue)
        let title: String
        if let schoolID = school {
            guard let school = try await SchoolModel.query(on: database).filter(\.$id == schoolID).scoped(to: scope).first() else {
                throw AppError.notFound("学校")
            }
            certificates = certificates.join(TeacherModel.self, on: \CertificateModel.$teacherID == \TeacherModel.$id)
                .filter(TeacherModel.self, \.$school.$id == schoolID)
            title = "\(school.name) 结业证书"
        } else if let code = region, let county = regions.region(code: code), county.level == .county,
                  scope.contains(regionCode: code, in: regions) {
            certificates = certificates.filter(\.$countyCode == code)
            title = "\(regions.qualifiedName(of: county)) 结业证书"
        } else {
            throw AppError.badRequest(code: "certificate.book_scope", "请选择一个县(市、区)或一所学校")
        }
        let count = try await certificates.count()
        guard count > 0 else { throw AppError.notFound("有效证书") }
        guard count <= Self.maximumBookPages else {
            throw AppError.badRequest(code: "certificate.book_too_large", "共 \(count) 张证书，超过一次 \(Self.maximumBookPages) 张的上限，请按学校分别下载")
        }
        return (title, try await certificates.sort(\.$number).all().map { try $0.snapshot() })
    }

    /// The valid certificates of a county or of one school as one PDF, a page each, in number
    /// order. Drawn into a file (cairo writes each page as it is drawn) and streamed from there.
    @Sendable func book(request: Request) async throws -> Response {
        let (user, _) = try office(request)
        let query = try request.query.decode(BookQuery.self)
        let (title, snapshots) = try await Self.bookContents(region: query.region, school: query.school, scope: user.scope,
                                                             database: request.db, regions: request.application.regions)
        let (url, handle) = try request.application.uploads.makeFile()
        let today = request.clock.today()
        do {
            try await request.application.threadPool.runIfActive {
                try CertificateDocument.book(snapshots, title: title, date: today, to: handle)
                try handle.close()
            }
        } catch {
            try? FileManager.default.removeItem(at: url)
            throw error
        }
        let response = try await request.fileio.asyncStreamFile(at: url.path, mediaType: HTTPMediaType(type: "application", subType: "pdf")) { _ in
            try? FileManager.default.removeItem(at: url)
        }
        let encoded = (title + ".pdf").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "certificates.pdf"
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"certificates.pdf\"; filename*=UTF-8''\(encoded)")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }
}

extension CertificatesController {
    /// `POST /certificates/book?region=`: the same book drawn by a background job, for a
    /// county whose thousands of pages take longer than a request should.
    @Sendable func bookJob(request: Request) async throws -> Response {
        let (user, _) = try office(request)
        let query = try request.query.decode(BookQuery.self)
        // Checked now, so that a wrong choice is said at once rather than by a failed job.
        let (title, snapshots) = try await Self.bookContents(region: query.region, school: query.school, scope: user.scope,
                                                             database: request.db, regions: request.application.regions)
        let job = try await request.application.jobs.enqueue(
            .certificateBook, payload: CertificateBookJob.Payload(region: query.region, school: query.school), owner: user,
            address: request.clientAddress, regionCode: query.region ?? user.regionCode, phase: "排队等待生成：\(title)（\(snapshots.count) 张）",
            on: request.db, clock: request.clock)
        try await AuditLog.record(on: request.db, actor: AuditLog.Actor(request), action: .export, objectType: "job", objectID: String(job.id!),
                                  summary: "发起后台任务：生成\(title) PDF（\(snapshots.count) 张）")
        return request.redirect(to: SiteURL.jobs(.page(.value(job.id!))).path)
    }
}
