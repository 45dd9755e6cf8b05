import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

/// A certificate as the offices that issued it list it (the token too: they hand it out).
struct CertificateDTO: Content {
    let number: String
    let token: String
    let teacherName: String
    let status: String
    let statusLabel: String
    let issuedOn: String
    let school: String
    let replacedBy: String?
    let revokedOn: String?
    let revokedReason: String?
}

/// Reads and changes issued certificates. Lists go through the one scope mechanism; look-ups
/// by number or token are for callers that have already decided who may see what.
struct CertificateRegister {
    let database: any Database

    var sql: any SQLDatabase { database as! any SQLDatabase }

    func find(number: CertificateNumber) async throws -> CertificateModel? {
        try await CertificateModel.query(on: database).filter(\.$number == number.value).first()
    }

    func find(token: VerificationToken) async throws -> CertificateModel? {
        try await CertificateModel.query(on: database).filter(\.$token == token.value).first()
    }

    /// A certificate in the user's subtree (a teacher: its own), else nil.
    func find(number: CertificateNumber, scope: RegionScope) async throws -> CertificateModel? {
        var query = CertificateModel.query(on: database).filter(\.$number == number.value)
        if case .teacher(let id) = scope { query = query.filter(\.$teacherID == id) } else { query = query.scoped(to: scope) }
        return try await query.first()
    }

    /// A teacher's certificates, newest first.
    func certificates(ofTeacher teacherID: Int) async throws -> [CertificateModel] {
        try await CertificateModel.query(on: database).filter(\.$teacherID == teacherID).sort(\.$id, .descending).all()
    }

    /// The number that replaced a superseded certificate.
    func replacementNumber(of certificate: CertificateModel) async throws -> String? {
        guard let id = certificate.supersededBy else { return nil }
        return try await CertificateModel.find(id, on: database)?.number
    }

    func dto(_ certificate: CertificateModel) async throws -> CertificateDTO {
        let snapshot = try certificate.snapshot()
        let status = try certificate.status()
        return CertificateDTO(number: certificate.number, token: certificate.token, teacherName: snapshot.teacherName,
                              status: status.rawValue, statusLabel: status.label, issuedOn: certificate.issuedOn, school: snapshot.school,
                              replacedBy: try await replacementNumber(of: certificate),
                              revokedOn: certificate.revokedOn, revokedReason: certificate.revokedReason)
    }

    /// One page of a region's certificates in number order; `region` must be in `scope`.
    func list(regionCode: String, scope: RegionScope, regions: RegionDirectory, paging: Paging) async throws -> (rows: [CertificateDTO], total: Int) {
        guard let region = regions.region(code: regionCode), scope.contains(regionCode: regionCode, in: regions) else {
            throw AppError.notFound("行政区划")
        }
        let query = CertificateModel.query(on: database).scoped(to: scope).within(region)
        let total = try await query.count()
        let models = try await query.sort(\.$number).range(paging.offset..<(paging.offset + paging.size)).all()
        var rows: [CertificateDTO] = []
        for model in models { rows.append(try await dto(model)) }
        return (rows, total)
    }

    /// 撤销: a valid certificate becomes revoked, with the date and the reason; audited.
    func revoke(number: CertificateNumber, reason rawReason: String, actor: AuditLog.Actor) async throws -> CertificateModel {
        let reason = TextCleaning.clean(rawReason)
        guard (2...200).contains(reason.count) else {
            throw InputRefusal(field: "撤销原因", code: "certificate.reason", "请填写撤销原因（2–200 个字）")
        }
        return try await database.transaction { db in
            guard let certificate = try await CertificateModel.query(on: db).filter(\.$number == number.value).first() else {
                throw AppError.notFound("证书")
            }
            guard try certificate.status() == .valid else {
                throw AppError(.conflict, code: "certificate.not_valid", "证书 \(number) 当前状态为“\(try certificate.status().label)”，不能撤销")
            }
            certificate.storedStatus = CertificateStatus.revoked.rawValue
            certificate.revokedOn = actor.clock.today().description
            certificate.revokedReason = reason
            try await certificate.save(on: db)
            try await AuditLog.record(on: db, actor: actor, action: .revokeCertificate, objectType: "certificate", objectID: number.value,
                                      countyCode: certificate.countyCode, cityCode: certificate.cityCode,
                                      changes: ["status": .init(before: CertificateStatus.valid.rawValue, after: CertificateStatus.revoked.rawValue)],
                                      summary: "撤销结业证书 \(number)：\(reason)")
            return certificate
        }
    }
}
