import Fluent
import Foundation
import PeixunCore
import SQLKit

/// The reissue workflow's part of the approval engine (证书补发): county → city → province over
/// a city's round. Counties with requests in the round take part; a request not yet confirmed by
/// its institution or checked by its county blocks the county; approving a city reissues each
/// accepted request — a new certificate supersedes the old one — and reopening undoes exactly that.
struct ReissueApproval: ApprovalHooks {
    let regions: RegionDirectory
    /// Who is approving or reopening, for `issued_by` and the dates.
    let actor: AuditLog.Actor
    /// The verification address of a new certificate's token.
    let verificationURL: @Sendable (VerificationToken) -> String
    /// Told when certificates changed status, so that public verification stops answering from its cache.
    var certificatesChanged: @Sendable () -> Void = {}

    var workflow: ApprovalWorkflowKind { .reissue }
    var chain: ApprovalChain { IntegrationWorkflow.chain }
    var auditObjectType: String { "reissue_round" }
    var reportName: String { "证书补发申请" }

    func level(of role: Role) -> ApprovalLevel? { IntegrationWorkflow.level(of: role) }

    /// The counties with a request in the round that was not sent back to its requester.
    func children(of region: Region, subject round: Int, on db: any Database) async throws -> [String] {
        struct Row: Decodable { let county_code: String }
        let sql = db as! any SQLDatabase
        return try await sql.select().distinct().column("county_code").from(ReissueRequestModel.schema)
            .where("round_id", .equal, round).where("city_code", .equal, region.code)
            .where("status", .notEqual, ReissueStatus.returned.rawValue).all(decoding: Row.self).map(\.county_code)
    }

    func blockers(of region: Region, subject round: Int, on db: any Database) async throws -> [ApprovalRefusal] {
        guard region.level == .county else { return [] }
        let unfinished = try await ReissueRequestModel.query(on: db).filter(\.$roundID == round).filter(\.$countyCode == region.code)
            .filter(\.$storedStatus ~~ ReissueStatus.allCases.filter(\.blocksSubmission).map(\.rawValue)).count()
        guard unfinished > 0 else { return [] }
        return [ApprovalRefusal(code: "reissue.unfinished",
                                message: "还有 \(unfinished) 份补发申请尚未出具情况说明或尚未审核，处理后才能提交")]
    }

    func deadline(subject: Int, on db: any Database) async throws -> CivilDate? { nil }

    /// Each accepted request of the city gets a new certificate, numbered from its county's
    /// serial for this year under the same lock as the bulk issuance; the old one becomes
    /// superseded and points to it. Requests still unfinished move to a new round of the city.
    func didApprove(_ city: Region, subject round: Int, on db: any Database) async throws -> (changes: [String: AuditLog.Change], summary: String) {
        let sql = db as! any SQLDatabase
        let today = actor.clock.today(), now = actor.clock.now()
        let accepted = try await ReissueRequestModel.query(on: db).filter(\.$roundID == round).filter(\.$cityCode == city.code)
            .filter(\.$storedStatus == ReissueStatus.accepted.rawValue).sort(\.$countyCode).sort(\.$id).all()
        var pairs: [String] = []
        for (countyCode, requests) in Dictionary(grouping: accepted, by: \.countyCode).sorted(by: { $0.key < $1.key }) {
            guard let county = regions.region(code: countyCode) else { throw AppError.notFound("县(市、区)") }
            var serials = try await CertificateSerials.lock(year: today.year, county: county, on: sql)
            for request in requests {
                guard let old = try await CertificateModel.find(request.certificateID, on: db) else { throw AppError.notFound("证书") }
                guard try old.status() == .valid else {
                    throw AppError(.conflict, code: "reissue.certificate_not_valid",
                                   "证书 \(old.number) 当前状态为“\(try old.status().label)”，不能补发；请将该申请退回后再审核")
                }
                let previous = try old.snapshot()
                let token = VerificationToken.random()
                let snapshot = CertificateSnapshot(
                    number: try serials.next(), teacherName: request.correctedName ?? previous.teacherName,
                    maskedResidentID: previous.maskedResidentID, region: previous.region, school: previous.school,
                    programme: previous.programme, completed: previous.completed, issuer: previous.issuer, issuedOn: today,
                    verificationURL: verificationURL(token), replaces: previous.number)
                // The old one stops being valid first: one valid certificate per teacher.
                old.storedStatus = CertificateStatus.superseded.rawValue
                try await old.save(on: db)
                let new = CertificateModel()
                new.number = snapshot.number.value
                new.token = token.value
                new.teacherID = old.teacherID
                new.countyCode = old.countyCode
                new.cityCode = old.cityCode
                new.storedStatus = CertificateStatus.valid.rawValue
                new.snapshotJSON = try CertificateModel.encode(snapshot)
                new.issuedOn = today.description
                new.issuedAt = now
                new.issuedBy = actor.username
                try await new.create(on: db)
                old.supersededBy = new.id
                try await old.save(on: db)
                request.storedStatus = ReissueStatus.reissued.rawValue
                request.newCertificateID = new.id
                request.updatedAt = now
                try await request.save(on: db)
                pairs.append("\(old.number)→\(new.number)")
            }
            try await serials.store()
        }
        // Requests that joined after their county submitted wait for the city's next round.
        let unfinished = try await ReissueRequestModel.query(on: db).filter(\.$roundID == round).filter(\.$cityCode == city.code)
            .filter(\.$storedStatus ~~ ReissueStatus.allCases.filter(\.blocksSubmission).map(\.rawValue)).all()
        var changes: [String: AuditLog.Change] = [
            "reissued": .init(before: nil, after: String(pairs.count)),
            "certificates": .init(before: nil, after: pairs.joined(separator: ",")),
        ]
        var summary = "：补发证书 \(pairs.count) 张"
        if !unfinished.isEmpty {
            let next = ReissueRoundModel()
            next.cityCode = city.code
            next.opened = now
            try await next.create(on: db)
            for request in unfinished {
                request.roundID = next.id!
                try await request.save(on: db)
            }
            changes["carriedOver"] = .init(before: nil, after: "\(unfinished.count) → 第 \(next.id!) 轮")
            summary += "；尚未审核的 \(unfinished.count) 份申请转入下一轮"
        }
        if !pairs.isEmpty { certificatesChanged() }
        return (changes, summary)
    }

    /// The certificates the approval produced are deleted and the old ones are valid again;
    /// refused when one of the new certificates has since been revoked or replaced.
    func didReopen(_ city: Region, subject round: Int, on db: any Database) async throws -> (changes: [String: AuditLog.Change], summary: String) {
        let requests = try await ReissueRequestModel.query(on: db).filter(\.$roundID == round).filter(\.$cityCode == city.code)
            .filter(\.$storedStatus == ReissueStatus.reissued.rawValue).sort(\.$id).all()
        var pairs: [String] = []
        for request in requests {
            guard let newID = request.newCertificateID, let new = try await CertificateModel.find(newID, on: db),
                  let old = try await CertificateModel.find(request.certificateID, on: db) else { throw AppError.notFound("证书") }
            guard try new.status() == .valid else {
                throw AppError(.conflict, code: "reissue.new_certificate_changed",
                               "补发的证书 \(new.number) 已\(try new.status().label)，不能重新打开")
            }
            request.newCertificateID = nil
            request.storedStatus = ReissueStatus.accepted.rawValue
            request.updatedAt = actor.clock.now()
            try await request.save(on: db)
            old.supersededBy = nil
            try await old.save(on: db)
            try await new.delete(on: db)
            old.storedStatus = CertificateStatus.valid.rawValue
            try await old.save(on: db)
            pairs.append("\(old.number)←\(new.number)")
        }
        if !pairs.isEmpty { certificatesChanged() }
        return (["withdrawn": .init(before: nil, after: pairs.joined(separator: ","))],
                "，作废补发的证书 \(pairs.count) 张，原证书恢复有效")
    }
}
