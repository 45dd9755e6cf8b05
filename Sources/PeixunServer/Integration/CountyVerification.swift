import Fluent
import Foundation
import PeixunCore
import SQLKit

/// 登记备案: a county checks each listed teacher in person and records the outcome; adds the
/// teachers missing from the list; and submits when its conflicts are cleared. Every change
/// is scoped (entries of other counties do not exist for it) and audited.
struct CountyVerification {
    let database: any Database
    let regions: RegionDirectory
    let user: CurrentUser
    let actor: AuditLog.Actor
    let clock: any AppClock

    struct Verify: Codable, Sendable {
        var certificateNumber: String?
        var phone: String?
        var school: String?
    }

    struct Reject: Codable, Sendable {
        var reason: String?
        var note: String?
    }

    struct Addition: Codable, Sendable {
        var name: String?
        var residentID: String?
        var phone: String?
        var school: String?
        var certificateNumber: String?
    }

    /// The entry, if the user's scope reaches its county; 404 otherwise.
    func entry(_ id: Int, on db: any Database) async throws -> IntegrationEntryModel {
        let sql = db as! any SQLDatabase
        struct Row: Decodable { let id: Int }
        guard try await sql.select().column("id").from(IntegrationEntryModel.schema).where("id", .equal, id)
            .where(user.scope.predicate()).first(decoding: Row.self) != nil,
              let entry = try await IntegrationEntryModel.find(id, on: db) else { throw AppError.notFound("名单条目") }
        return entry
    }

    var approvals: ApprovalService {
        ApprovalService(hooks: IntegrationApproval(regions: regions, clock: clock), regions: regions, user: user, actor: actor, clock: clock)
    }

    func state(batchID: Int, region: String, on db: any Database) async throws -> ApprovalState {
        try await approvals.state(subject: batchID, region: region, on: db)
    }

    func openConflicts(batchID: Int, county: String, on db: any Database) async throws -> Int {
        try await IntegrationApproval.openConflicts(batchID: batchID, county: county, on: db)
    }

    func actions(batchID: Int, county: String, on db: any Database) async throws -> WorkflowActions {
        guard let region = regions.region(code: county), region.level == .county else { return WorkflowActions() }
        return IntegrationWorkflow.actions(role: user.role, on: try await approvals.unit(region, subject: batchID, on: db))
    }

    /// Only the county itself verifies, while its part is open.
    private func editable(_ entry: IntegrationEntryModel, on db: any Database) async throws {
        guard let county = entry.countyCode, user.role == .county, user.regionCode == county else {
            throw AppError(.forbidden, code: "integration.not_county", "只有该教师所在的县(市、区)可以核实")
        }
        guard try await actions(batchID: entry.batchID, county: county, on: db).mayVerify else {
            throw AppError(.conflict, code: "integration.locked", "本县名单已提交，不能再修改；如需修改请联系市(州)退回")
        }
    }

    func verify(_ id: Int, _ input: Verify) async throws -> IntegrationEntryModel {
        try await database.transaction { db in
            let entry = try await entry(id, on: db)
            try await editable(entry, on: db)
            guard let certificate = input.certificateNumber.map(TeacherRowValidator.clean), !certificate.isEmpty else {
                throw InputRefusal(field: "证书编号", code: "certificate.missing", "请填写所见合格证书的编号")
            }
            var changes: [String: AuditLog.Change] = ["status": .init(before: entry.status, after: EntryStatus.verified.rawValue),
                                                       "certificate_no": .init(before: entry.certificateNumber, after: certificate)]
            if let phone = input.phone.map(TeacherRowValidator.clean), !phone.isEmpty, phone != entry.phone {
                changes["phone"] = .init(before: entry.phone, after: phone)
                entry.phone = phone
            }
            if let school = input.school.map(TeacherRowValidator.clean), !school.isEmpty, school != entry.school {
                changes["school"] = .init(before: entry.school, after: school)
                entry.school = school
            }
            // A teacher the registry does not know is registered at approval, in this school.
            if (entry.school ?? "").isEmpty, try await TeacherModel.query(on: db).filter(\.$residentID == entry.residentID).count() == 0 {
                throw InputRefusal(field: "所在学校", code: "school.unknown", "该教师尚未在名册中登记，请填写其所在学校")
            }
            entry.status = EntryStatus.verified.rawValue
            entry.certificateNumber = certificate
            entry.reason = nil
            entry.verifiedBy = user.username
            entry.verifiedAt = clock.now()
            try await entry.update(on: db)
            try await AuditLog.record(on: db, actor: actor, action: .verify, objectType: "integration_entry", objectID: String(id),
                                      countyCode: entry.countyCode, cityCode: entry.cityCode, changes: changes,
                                      summary: "核实 \(entry.name)（证书 \(certificate)）")
            return entry
        }
    }

    func reject(_ id: Int, _ input: Reject) async throws -> IntegrationEntryModel {
        try await database.transaction { db in
            let entry = try await entry(id, on: db)
            try await editable(entry, on: db)
            guard let reason = input.reason.flatMap(RejectionReason.init(rawValue:)) else {
                throw InputRefusal(field: "原因", code: "reason.missing", "请选择不予认定的原因")
            }
            let note = input.note.map(TeacherRowValidator.clean).flatMap { $0.isEmpty ? nil : String($0.prefix(200)) }
            if reason == .other, note == nil { throw InputRefusal(field: "说明", code: "reason.missing", "原因为“其他”时请写明说明") }
            let before = entry.status
            entry.status = EntryStatus.rejected.rawValue
            entry.reason = reason.rawValue
            entry.note = note
            entry.verifiedBy = user.username
            entry.verifiedAt = clock.now()
            try await entry.update(on: db)
            try await AuditLog.record(on: db, actor: actor, action: .reject, objectType: "integration_entry", objectID: String(id),
                                      countyCode: entry.countyCode, cityCode: entry.cityCode,
                                      changes: ["status": .init(before: before, after: entry.status), "reason": .init(before: nil, after: reason.label)],
                                      summary: "不予认定 \(entry.name)：\(reason.label)" + (note.map { "（\($0)）" } ?? ""))
            return entry
        }
    }

    /// 新增: a teacher who came with a certificate but is not on the list; appended after the
    /// list's entries, flagged, and verified at once.
    func add(batchID: Int, projectID: Int, _ input: Addition) async throws -> IntegrationEntryModel {
        guard user.role == .county, let countyCode = user.regionCode, let county = regions.region(code: countyCode) else {
            throw AppError(.forbidden, code: "integration.not_county", "只有县(市、区)可以新增人员")
        }
        return try await database.transaction { db in
            guard try await actions(batchID: batchID, county: countyCode, on: db).mayVerify else {
                throw AppError(.conflict, code: "integration.locked", "本县名单已提交，不能再修改；如需修改请联系市(州)退回")
            }
            var issues: [RowIssue] = []
            let checkedName = PersonName.check(input.name ?? "", row: 1)
            let name = checkedName.name ?? ""
            if let issue = checkedName.issue { issues.append(issue) }
            let id = TeacherRowValidator.residentID(input.residentID ?? "", wasNumber: false, row: 1, today: clock.today())
            issues += id.errors
            let certificate = TeacherRowValidator.clean(input.certificateNumber ?? "")
            if certificate.isEmpty { issues.append(RowIssue(row: 1, column: "证书编号", code: "certificate.missing", message: "请填写所见合格证书的编号")) }
            guard issues.isEmpty, let residentID = id.id else { throw InputRefusal(issues: issues) }
            if let existing = try await IntegrationEntryModel.query(on: db).filter(\.$batchID == batchID)
                .filter(\.$residentID == residentID.value).first() {
                let place = existing.countyCode.flatMap { regions.region(code: $0)?.name } ?? "省级待分配名单"
                throw InputRefusal(field: "身份证号码", code: "id.duplicate", "该教师已在本批名单中（\(place)第 \(existing.sequence) 号）")
            }
            let school = TeacherRowValidator.clean(input.school ?? "")
            try await IntegrationEntries.append([
                .init(county: county, listedCounty: nil, school: school, name: name, residentID: residentID,
                      phone: input.phone.map(TeacherRowValidator.clean).flatMap { $0.isEmpty ? nil : $0 }, added: true),
            ], batchID: batchID, projectID: projectID, on: db)
            guard let entry = try await IntegrationEntryModel.query(on: db).filter(\.$batchID == batchID)
                .filter(\.$residentID == residentID.value).first() else { throw AppError.notFound("名单条目") }
            entry.status = EntryStatus.verified.rawValue
            entry.certificateNumber = certificate
            entry.verifiedBy = user.username
            entry.verifiedAt = clock.now()
            try await entry.update(on: db)
            try await AuditLog.record(on: db, actor: actor, action: .create, objectType: "integration_entry", objectID: String(entry.id!),
                                      countyCode: countyCode, cityCode: county.parentCode,
                                      changes: ["name": .init(before: nil, after: name), "resident_id": .init(before: nil, after: residentID.masked)],
                                      summary: "新增并核实 \(name)（名单外人员）")
            return entry
        }
    }

    /// The county hands its part to the city; its entries lock. Late is flagged, not refused.
    func submit(batchID: Int) async throws {
        guard user.role == .county, let county = user.regionCode, let region = regions.region(code: county) else {
            throw AppError(.forbidden, code: "integration.not_county", "只有县(市、区)可以提交本县名单")
        }
        try await database.transaction { db in
            guard try await IntegrationBatchModel.find(batchID, on: db) != nil else { throw AppError.notFound("整合批次") }
            try await approvals.apply(.submit, to: region, subject: batchID, on: db)
        }
    }
}
