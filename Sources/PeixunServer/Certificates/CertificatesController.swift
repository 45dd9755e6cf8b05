import Fluent
import Foundation
import PeixunCore
import PeixunDocuments
import SQLKit
import Vapor

/// 结业证书 for the offices: a region's certificates, issuing, revoking, a certificate's PDF
/// and a school's or county's certificates as one PDF to print.
struct CertificatesController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.certificates(.register()), use: page)
        routes.post(.certificates(.issue), use: issueForm)
        routes.post(.certificates(.revoke(.key)), use: revokeForm)
        routes.get(.certificates(.pdf(.key)), use: pdf)
        routes.get(.certificates(.book()), use: book)
        routes.post(.certificates(.book()), use: bookJob)
        routes.get(.certificates(.apiList()), use: apiList)
        routes.post(.certificates(.apiIssue), use: apiIssue)
        routes.post(.certificates(.apiRevoke(.key)), use: apiRevoke)
    }

    struct ListQuery: Decodable {
        var region: String?
        var page: Int?
        var notice: String?
    }

    func office(_ request: Request) throws -> (CurrentUser, String) {
        let user = try request.requireUser()
        guard [.province, .city, .county].contains(user.role), let root = user.scope.root(in: request.application.regions) else {
            throw AppError.notFound()
        }
        return (user, root)
    }

    struct ListDTO: Content {
        let region: String
        let regionName: String
        let page: Int
        let pageCount: Int
        let total: Int
        let certificates: [CertificateDTO]
    }

    private func list(_ request: Request) async throws -> (ListDTO, CurrentUser) {
        let (user, root) = try office(request)
        let query = try request.query.decode(ListQuery.self)
        let regions = request.application.regions
        let code = query.region ?? root
        let paging = Paging(page: query.page, size: 50)
        let (rows, total) = try await CertificateRegister(database: request.db).list(regionCode: code, scope: user.scope, regions: regions, paging: paging)
        let name = regions.region(code: code).map(regions.qualifiedName(of:)) ?? code
        return (ListDTO(region: code, regionName: name, page: paging.page, pageCount: paging.pageCount(total: total), total: total, certificates: rows), user)
    }

    @Sendable func apiList(request: Request) async throws -> ListDTO {
        try await list(request).0
    }

    struct RowLinks: Encodable, Sendable {
        let pdfURL: String
        let revokeURL: String
        let verifyURL: String
    }

    struct Page: Encodable, Sendable {
        let pageTitle = "结业证书"
        let list: ListDTO
        let rows: [Linked<CertificateDTO, RowLinks>]
        let mayIssue: Bool
        let mayRevoke: Bool
        let issueURL: String
        let rule: String
        let notice: String?
        let previousURL: String?
        let nextURL: String?
        let children: [Option]
        let bookURL: String?

        struct Option: Encodable, Sendable { let name: String; let url: String }
    }

    @Sendable func page(request: Request) async throws -> View {
        let (list, user) = try await list(request)
        let regions = request.application.regions
        let settings = request.application.config.certificates
        let rows = list.certificates.map {
            Linked($0, RowLinks(pdfURL: SiteURL.certificates(.pdf(.value($0.number))).path,
                                revokeURL: SiteURL.certificates(.revoke(.value($0.number))).path,
                                verifyURL: SiteURL.certificates(.verify(.value($0.token))).path))
        }
        let children = regions.children(of: list.region).map { Page.Option(name: $0.name, url: SiteURL.certificates(.register(region: $0.code)).path) }
        let isCounty = regions.region(code: list.region)?.level == .county
        let notice = try request.query.decode(ListQuery.self).notice.map { String($0.prefix(200)) }
        return try await request.renderPage("certificates", Page(
            list: list, rows: rows,
            mayIssue: CertificateIssuance.mayIssue(role: user.role, scope: user.scope, regionCode: list.region, settings: settings, regions: regions),
            mayRevoke: user.role == .province, issueURL: SiteURL.certificates(.issue).path,
            rule: settings.rule.description, notice: notice,
            previousURL: list.page > 1 ? SiteURL.certificates(.register(region: list.region, page: list.page - 1)).path : nil,
            nextURL: list.page < list.pageCount ? SiteURL.certificates(.register(region: list.region, page: list.page + 1)).path : nil,
            children: children,
            bookURL: isCounty && list.total > 0 ? SiteURL.certificates(.book(region: list.region)).path : nil))
    }

    struct IssueInput: Content {
        var region: String?
    }

    /// The region the request may issue for, or why not.
    private func issueRegion(_ request: Request) throws -> String {
        let (user, root) = try office(request)
        let input = try request.content.decode(IssueInput.self)
        let code = input.region.flatMap { $0.isEmpty ? nil : $0 } ?? root
        let regions = request.application.regions
        guard regions.region(code: code) != nil, user.scope.contains(regionCode: code, in: regions) else { throw AppError.notFound("行政区划") }
        guard CertificateIssuance.mayIssue(role: user.role, scope: user.scope, regionCode: code, settings: request.application.config.certificates, regions: regions) else {
            throw AppError(.forbidden, code: "certificate.issue_forbidden", "证书由省执行办统一签发")
        }
        return code
    }

    struct IssueQuery: Decodable {
        var background: Bool?
    }

    /// Issues in the request, or with `?background=true` queues a job and answers 202 with it
    /// (a province takes minutes: poll `GET /api/v1/jobs/{id}`).
    @Sendable func apiIssue(request: Request) async throws -> Response {
        let code = try issueRegion(request)
        if (try? request.query.decode(IssueQuery.self))?.background == true {
            let job = try await CertificateIssueJob.enqueue(region: code, request: request)
            return try await JobDTO(job, app: request.application).encodeResponse(status: .accepted, for: request)
        }
        let outcome = try await CertificateIssuance(application: request.application, actor: AuditLog.Actor(request)).issue(regionCode: code)
        return try await outcome.encodeResponse(for: request)
    }

    /// The page's button always queues a job and shows its progress page.
    @Sendable func issueForm(request: Request) async throws -> Response {
        let job = try await CertificateIssueJob.enqueue(region: try issueRegion(request), request: request)
        return request.redirect(to: SiteURL.jobs(.page(.value(job.id!))).path)
    }

    struct RevokeInput: Content {
        var reason: String?
    }

    private func revoke(_ request: Request) async throws -> CertificateModel {
        let (user, _) = try office(request)
        guard let number = request.parameters.get(.number).flatMap(CertificateNumber.init(parsing:)),
              try await CertificateRegister(database: request.db).find(number: number, scope: user.scope) != nil else {
            throw AppError.notFound("证书")
        }
        guard user.role == .province else { throw AppError(.forbidden, code: "certificate.revoke_forbidden", "只有省执行办可以撤销证书") }
        let input = try request.content.decode(RevokeInput.self)
        let revoked = try await CertificateRegister(database: request.db).revoke(number: number, reason: input.reason ?? "", actor: AuditLog.Actor(request))
        request.application.verificationCache.invalidate()
        return revoked
    }

    @Sendable func apiRevoke(request: Request) async throws -> CertificateDTO {
        try await CertificateRegister(database: request.db).dto(try await revoke(request))
    }

    @Sendable func revokeForm(request: Request) async throws -> Response {
        let certificate = try await revoke(request)
        return request.redirect(to: SiteURL.certificates(.register(region: certificate.countyCode))
            .path(adding: [URLQueryItem(name: "notice", value: "已撤销证书 \(certificate.number)")]))
    }

    /// One certificate's PDF: for the offices in whose subtree it lies, and for its own teacher.
    @Sendable func pdf(request: Request) async throws -> Response {
        let user = try request.requireUser()
        guard let number = request.parameters.get(.number).flatMap(CertificateNumber.init(parsing:)),
              let certificate = try await CertificateRegister(database: request.db).find(number: number, scope: user.scope) else {
            throw AppError.notFound("证书")
        }
        let snapshot = try certificate.snapshot()
        let bytes = try await request.application.threadPool.runIfActive { try CertificateDocument.pdf(snapshot) }
        return Self.pdfResponse(ByteBuffer(bytes: bytes), filename: "结业证书-\(number).pdf", disposition: "inline")
    }

    static func pdfResponse(_ body: ByteBuffer, filename: String, disposition: String) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "application", subType: "pdf")
        let encoded = filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "certificate.pdf"
        headers.replaceOrAdd(name: .contentDisposition, value: "\(disposition); filename=\"certificate.pdf\"; filename*=UTF-8''\(encoded)")
        headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return Response(status: .ok, headers: headers, body: .init(buffer: body))
    }
}
