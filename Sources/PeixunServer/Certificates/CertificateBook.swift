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
    @Sendable func book(request: Request) async throws -> Response {
        let (user, _) = try office(request)
        let query = try request.query.decode(BookQuery.self)
        let regions = request.application.regions
        var certificates = CertificateModel.query(on: request.db).scoped(to: user.scope)
            .filter(\.$storedStatus == CertificateStatus.valid.rawValue)
        let title: String
        if let schoolID = query.school {
            guard let school = try await SchoolModel.query(on: request.db).filter(\.$id == schoolID).scoped(to: user.scope).first() else {
                throw AppError.notFound("学校")
            }
            certificates = certificates.join(TeacherModel.self, on: \CertificateModel.$teacherID == \TeacherModel.$id)
                .filter(TeacherModel.self, \.$school.$id == schoolID)
            title = "\(school.name) 结业证书"
        } else if let code = query.region, let county = regions.region(code: code), county.level == .county,
                  user.scope.contains(regionCode: code, in: regions) {
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
        let snapshots = try await certificates.sort(\.$number).all().map { try $0.snapshot() }
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
