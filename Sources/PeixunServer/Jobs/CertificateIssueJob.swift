import Fluent
import Foundation
import Vapor

/// Issuing a region's certificates as a job: county by county, each county one transaction
/// that issues only to teachers without a certificate, so a run cut short runs again and
/// issues exactly what the first run did not.
enum CertificateIssueJob {
    struct Payload: Codable, Sendable {
        let region: String
    }

    struct Result: Codable, Sendable {
        let region: String
        let regionName: String
        let outcome: CertificateIssuance.Outcome
        let registerURL: String
    }

    static func enqueue(region: String, request: Request) async throws -> JobModel {
        let user = try request.requireUser()
        let name = request.application.regions.region(code: region).map { request.application.regions.qualifiedName(of: $0) } ?? region
        let job = try await request.application.jobs.enqueue(
            .issueCertificates, payload: Payload(region: region), owner: user, address: request.clientAddress, regionCode: region,
            phase: "排队等待签发：\(name)", on: request.db, clock: request.clock)
        try await AuditLog.record(on: request.db, actor: AuditLog.Actor(request), action: .create, objectType: "job", objectID: String(job.id!),
                                  summary: "发起后台任务：签发\(name)结业证书")
        return job
    }

    static func run(_ context: JobContext) async throws -> String? {
        let payload = try context.decode(Payload.self)
        let regions = context.app.regions
        // The owner's right is checked again: it may have changed since the job was queued.
        guard regions.region(code: payload.region) != nil, context.owner.scope.contains(regionCode: payload.region, in: regions),
              CertificateIssuance.mayIssue(role: context.owner.role, scope: context.owner.scope, regionCode: payload.region,
                                           settings: context.app.config.certificates, regions: regions) else {
            throw AppError(.forbidden, code: "certificate.issue_forbidden", "证书由省执行办统一签发")
        }
        let counties = regions.counties(in: payload.region)
        let outcome = try await CertificateIssuance(application: context.app, actor: context.actor).issue(regionCode: payload.region) { done, total in
            let next = done < counties.count ? "，正在签发：\(regions.qualifiedName(of: counties[done]))" : ""
            try await context.progress(done: done, total: total, phase: "已完成 \(done)/\(total) 个县(市、区)\(next)")
        }
        let name = regions.region(code: payload.region).map { regions.qualifiedName(of: $0) } ?? payload.region
        return try JobContext.encode(Result(region: payload.region, regionName: name, outcome: outcome,
                                            registerURL: SiteURL.certificates(.register(region: payload.region)).path))
    }
}

extension JobKind {
    static let issueCertificates = JobKind(name: "certificates.issue", label: "签发结业证书", retryable: true, run: CertificateIssueJob.run)
}
