import Fluent
import Foundation
import PeixunCore
import SQLKit

/// 教师调动: request, accept, reject and cancel, each in one transaction with its audit entry.
/// The teacher stays on the sending county's roll until the receiving county accepts.
struct TeacherTransfers {
    let database: any Database
    let regions: RegionDirectory
    let user: CurrentUser
    let actor: AuditLog.Actor

    struct Request: Codable, Sendable {
        var toCounty: String?
        var toSchool: String?
        var note: String?
    }

    /// Transfers visible to the user: those leaving or entering its subtree.
    func visible() -> any SQLExpression {
        SQLGroupExpression(SQLBinaryExpression(
            left: user.scope.predicate(county: "from_county_code", city: "from_city_code"), op: SQLBinaryOperator.or,
            right: user.scope.predicate(county: "to_county_code", city: "to_city_code")))
    }

    func find(_ id: Int, on db: any Database) async throws -> TransferModel {
        let sql = db as! any SQLDatabase
        struct Row: Decodable { let id: Int }
        guard try await sql.select().column("id").from(TransferModel.schema).where("id", .equal, id).where(visible())
            .first(decoding: Row.self) != nil, let transfer = try await TransferModel.find(id, on: db)
        else { throw AppError.notFound("调动申请") }
        return transfer
    }

    private func school(named name: String, in county: String, on db: any Database) async throws -> SchoolModel {
        let cleaned = TeacherRowValidator.clean(name)
        guard let school = try await SchoolModel.query(on: db).filter(\.$countyCode == county).filter(\.$name == cleaned).first() else {
            throw InputRefusal(field: "调入学校", code: "school.unknown",
                               "学校“\(cleaned)”不在\(regions.region(code: county)?.name ?? county)的学校名录中")
        }
        return school
    }

    /// Starts a transfer of a teacher in scope. Within one county it is done at once.
    func request(teacherID: Int, _ input: Request) async throws -> TransferModel {
        guard [.province, .city, .county].contains(user.role) else { throw AppError.notFound("教师") }
        return try await database.transaction { db in
            guard let teacher = try await TeacherModel.query(on: db).filter(\.$id == teacherID).scoped(to: user.scope).with(\.$school).first() else {
                throw AppError.notFound("教师")
            }
            guard let code = input.toCounty, let county = regions.region(code: code), county.level == .county else {
                throw InputRefusal(field: "调入县(市、区)", code: "region.unknown", "请选择调入的县(市、区)")
            }
            if try await TransferModel.query(on: db).filter(\.$teacherID == teacherID).filter(\.$status == TransferModel.Status.pending.rawValue).count() > 0 {
                throw AppError(.conflict, code: "transfer.pending", "该教师已有一项待接收的调动，请等待对方处理或先撤销")
            }
            let requested = input.toSchool.map(TeacherRowValidator.clean).flatMap { $0.isEmpty ? nil : $0 }
            let transfer = TransferModel()
            transfer.teacherID = teacherID
            transfer.fromSchoolID = teacher.$school.id
            transfer.fromCountyCode = teacher.countyCode
            transfer.fromCityCode = teacher.cityCode
            transfer.toCountyCode = county.code
            transfer.toCityCode = county.parentCode!
            transfer.requestedSchool = requested
            transfer.note = input.note.flatMap { $0.isEmpty ? nil : String($0.prefix(200)) }
            transfer.requestedBy = user.username
            transfer.requestedAt = actor.clock.now()
            transfer.status = TransferModel.Status.pending.rawValue
            if county.code == teacher.countyCode {
                guard let name = requested else {
                    throw InputRefusal(field: "调入学校", code: "school.unknown", "县内调动请填写调入学校")
                }
                let target = try await school(named: name, in: county.code, on: db)
                guard target.id != teacher.$school.id else {
                    throw InputRefusal(field: "调入学校", code: "transfer.same_school", "调入学校与现所在学校相同")
                }
                try await transfer.create(on: db)
                try await complete(transfer, teacher: teacher, school: target, on: db)
            } else {
                try await transfer.create(on: db)
                try await AuditLog.record(
                    on: db, actor: actor, action: .transfer, objectType: "teacher", objectID: String(teacherID),
                    countyCode: teacher.countyCode, cityCode: teacher.cityCode,
                    changes: ["to_county": .init(before: teacher.countyCode, after: county.code), "transfer": .init(before: nil, after: String(transfer.id!))],
                    summary: "申请将教师 \(teacher.name) 调往\(county.name)，待\(county.name)接收")
            }
            return transfer
        }
    }

    /// The receiving county takes the teacher into one of its schools.
    func accept(_ id: Int, school name: String?) async throws -> TransferModel {
        try await database.transaction { db in
            let transfer = try await pending(id, on: db)
            guard user.role == .county, user.regionCode == transfer.toCountyCode else {
                throw AppError(.forbidden, code: "transfer.not_receiver", "只有调入县(市、区)可以接收该教师")
            }
            guard let chosen = (name.map(TeacherRowValidator.clean).flatMap { $0.isEmpty ? nil : $0 }) ?? transfer.requestedSchool else {
                throw InputRefusal(field: "调入学校", code: "school.unknown", "请选择调入学校")
            }
            let target = try await school(named: chosen, in: transfer.toCountyCode, on: db)
            guard let teacher = try await TeacherModel.find(transfer.teacherID, on: db) else { throw AppError.notFound("教师") }
            guard teacher.$school.id == transfer.fromSchoolID else {
                throw AppError(.conflict, code: "transfer.stale", "该教师的所在学校已变更，本次调动申请已失效，请由调出县撤销后重新申请")
            }
            try await complete(transfer, teacher: teacher, school: target, on: db)
            return transfer
        }
    }

    private func complete(_ transfer: TransferModel, teacher: TeacherModel, school: SchoolModel, on db: any Database) async throws {
        let before = (county: teacher.countyCode, schoolID: teacher.$school.id, stage: teacher.stage)
        teacher.$school.id = school.id!
        teacher.countyCode = school.countyCode
        teacher.cityCode = school.cityCode
        teacher.stage = school.stage
        try await teacher.update(on: db)
        transfer.toSchoolID = school.id
        transfer.status = TransferModel.Status.accepted.rawValue
        transfer.decidedBy = user.username
        transfer.decidedAt = actor.clock.now()
        try await transfer.update(on: db)
        try await ProgressRollup.rebuild(counties: Array(Set([before.county, school.countyCode])), on: db as! any SQLDatabase)
        let fromName = try await SchoolModel.find(before.schoolID, on: db)?.name ?? String(before.schoolID)
        try await AuditLog.record(
            on: db, actor: actor, action: .transfer, objectType: "teacher", objectID: String(teacher.id!),
            countyCode: school.countyCode, cityCode: school.cityCode,
            changes: ["school": .init(before: fromName, after: school.name), "county": .init(before: before.county, after: school.countyCode),
                      "stage": .init(before: before.stage, after: school.stage), "transfer": .init(before: nil, after: String(transfer.id!))],
            summary: "教师 \(teacher.name) 由\(fromName)调入\(school.name)")
    }

    private func pending(_ id: Int, on db: any Database) async throws -> TransferModel {
        let transfer = try await find(id, on: db)
        guard try transfer.statusValue() == .pending else {
            throw AppError(.conflict, code: "transfer.closed", "该调动申请已\((try transfer.statusValue()).label)，不能再处理")
        }
        return transfer
    }

    /// The receiving county declines, with a reason the sending county reads.
    func reject(_ id: Int, reason: String?) async throws -> TransferModel {
        try await database.transaction { db in
            let transfer = try await pending(id, on: db)
            guard user.role == .county, user.regionCode == transfer.toCountyCode else {
                throw AppError(.forbidden, code: "transfer.not_receiver", "只有调入县(市、区)可以拒绝该调动")
            }
            guard let reason = reason.map(TeacherRowValidator.clean), !reason.isEmpty else {
                throw InputRefusal(field: "拒绝原因", code: "reason.missing", "请填写拒绝原因")
            }
            return try await close(transfer, as: .rejected, reason: String(reason.prefix(200)), action: .reject, on: db)
        }
    }

    /// The sending side withdraws a request not yet accepted.
    func cancel(_ id: Int) async throws -> TransferModel {
        try await database.transaction { db in
            let transfer = try await pending(id, on: db)
            guard user.scope.contains(regionCode: transfer.fromCountyCode, in: regions) else {
                throw AppError(.forbidden, code: "transfer.not_sender", "只有调出方可以撤销该调动申请")
            }
            return try await close(transfer, as: .cancelled, reason: nil, action: .cancel, on: db)
        }
    }

    private func close(_ transfer: TransferModel, as status: TransferModel.Status, reason: String?, action: AuditLog.Action,
                       on db: any Database) async throws -> TransferModel {
        transfer.status = status.rawValue
        transfer.decisionReason = reason
        transfer.decidedBy = user.username
        transfer.decidedAt = actor.clock.now()
        try await transfer.update(on: db)
        try await AuditLog.record(
            on: db, actor: actor, action: action, objectType: "teacher_transfer", objectID: String(transfer.id!),
            countyCode: status == .rejected ? transfer.toCountyCode : transfer.fromCountyCode,
            cityCode: status == .rejected ? transfer.toCityCode : transfer.fromCityCode,
            changes: ["status": .init(before: TransferModel.Status.pending.rawValue, after: status.rawValue), "reason": .init(before: nil, after: reason)],
            summary: "\(status == .rejected ? "拒绝" : "撤销")教师调动申请（第 \(transfer.id!) 号）" + (reason.map { "：\($0)" } ?? ""))
        return transfer
    }
}
