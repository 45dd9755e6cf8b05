import Fluent
import Foundation
import PeixunCore
import SQLKit

/// 登记与修改教师: one teacher at a time, from the web form or the API, checked by the same
/// `TeacherRowValidator` as an imported row, so that a form accepts exactly what a file would.
struct TeacherRegistry {
    /// What the form and the API send; labels and codes as in a roster row.
    struct Input: Codable, Sendable {
        var county: String?
        var school: String?
        var stage: String?
        var name: String?
        var residentID: String?
        var phone: String?
        var sex: String?
    }

    let database: any Database
    let regions: RegionDirectory
    let scope: RegionScope
    let actor: AuditLog.Actor

    private func check(_ input: Input) throws -> (row: CheckedTeacherRow, notes: [RowIssue]) {
        var validator = TeacherRowValidator(regions: regions, scope: scope, today: actor.clock.today())
        let values: [TeacherColumn: String?] = [
            .county: input.county, .school: input.school, .stage: input.stage, .name: input.name,
            .residentID: input.residentID, .phone: input.phone, .sex: input.sex,
        ]
        let outcome = validator.check(RawTeacherRow(row: 1, values: values.compactMapValues { $0 }))
        guard let row = outcome.checked else { throw InputRefusal(issues: outcome.errors) }
        return (row, outcome.notes)
    }

    private struct School: Decodable { let id: Int; let name: String; let stage: String }

    private func school(named name: String, in county: String, on sql: any SQLDatabase) async throws -> School {
        guard let school = try await sql.select().columns("id", "name", "stage").from(SchoolModel.schema)
            .where("county_code", .equal, county).where("name", .equal, name).first(decoding: School.self)
        else {
            let countyName = regions.region(code: county)?.name ?? county
            throw InputRefusal(issues: [RowIssue(row: 1, column: TeacherColumn.school.label, code: "school.unknown",
                                            message: "学校“\(name)”不在\(countyName)的学校名录中")])
        }
        return school
    }

    private func refuseRegistered(_ existing: TeacherModel) -> InputRefusal {
        let place = regions.region(code: existing.countyCode).map { (regions.parent(of: $0)?.name ?? "") + $0.name } ?? existing.countyCode
        let sameCounty = scope.contains(regionCode: existing.countyCode, in: regions)
        let message = sameCounty
            ? "该身份证号码已登记为“\(existing.name)”，请在教师名册中查找并修改"
            : "该教师已登记在\(place)；如已调入，请联系调出县发起调动，由本县接收"
        return InputRefusal(issues: [RowIssue(row: 1, column: TeacherColumn.residentID.label,
                                         code: sameCounty ? "id.duplicate" : "id.registered_elsewhere", message: message)])
    }

    /// Registers a new teacher in a school of the county; audited.
    func create(_ input: Input) async throws -> TeacherModel {
        let (row, _) = try check(input)
        return try await database.transaction { db in
            let sql = db as! any SQLDatabase
            if let existing = try await TeacherModel.query(on: db).filter(\.$residentID == row.residentID.value).first() {
                throw refuseRegistered(existing)
            }
            let school = try await school(named: row.schoolName, in: row.county.code, on: sql)
            let teacher = TeacherModel()
            teacher.residentID = row.residentID.value
            teacher.name = row.name
            teacher.mobile = row.phone
            teacher.$school.id = school.id
            teacher.stage = (row.stage ?? Stage(rawValue: school.stage) ?? .primarySecondary).rawValue
            teacher.countyCode = row.county.code
            teacher.cityCode = row.county.parentCode!
            try await teacher.create(on: db)
            try await ProgressRollup.rebuild(counties: [row.county.code], on: sql)
            try await AuditLog.record(
                on: db, actor: actor, action: .create, objectType: "teacher", objectID: String(teacher.id!),
                countyCode: teacher.countyCode, cityCode: teacher.cityCode,
                changes: ["name": .init(before: nil, after: teacher.name), "resident_id": .init(before: nil, after: row.residentID.masked),
                          "school": .init(before: nil, after: school.name), "stage": .init(before: nil, after: teacher.stage),
                          "mobile": .init(before: nil, after: teacher.mobile)],
                summary: "登记教师 \(teacher.name)（\(school.name)）")
            return teacher
        }
    }

    /// Corrects a teacher's name, ID, phone or stage. The school changes only by a transfer,
    /// so that 调动记录 stays complete.
    func update(id: Int, _ input: Input) async throws -> TeacherModel {
        try await database.transaction { db in
            let sql = db as! any SQLDatabase
            guard let teacher = try await TeacherModel.query(on: db).filter(\.$id == id).scoped(to: scope).with(\.$school).first() else {
                throw AppError.notFound("教师")
            }
            var completed = input
            completed.county = teacher.countyCode
            completed.school = teacher.school.name
            // Blank means unchanged: the edit form does not show the full ID back.
            completed.residentID = input.residentID.flatMap { $0.isEmpty ? nil : $0 } ?? teacher.residentID
            completed.name = input.name.flatMap { $0.isEmpty ? nil : $0 } ?? teacher.name
            if input.phone == nil { completed.phone = teacher.mobile }
            if input.stage == nil { completed.stage = Stage(rawValue: teacher.stage)?.label }
            let (row, _) = try check(completed)
            if row.residentID.value != teacher.residentID,
               let other = try await TeacherModel.query(on: db).filter(\.$residentID == row.residentID.value).first() {
                throw refuseRegistered(other)
            }
            var changes: [String: AuditLog.Change] = [:]
            if teacher.name != row.name { changes["name"] = .init(before: teacher.name, after: row.name) }
            if teacher.residentID != row.residentID.value {
                changes["resident_id"] = .init(before: ResidentID(canonical: teacher.residentID)?.masked, after: row.residentID.masked)
            }
            if teacher.mobile != row.phone { changes["mobile"] = .init(before: teacher.mobile, after: row.phone) }
            let stage = (row.stage ?? Stage(rawValue: teacher.stage) ?? .primarySecondary).rawValue
            if teacher.stage != stage { changes["stage"] = .init(before: teacher.stage, after: stage) }
            guard !changes.isEmpty else { return teacher }
            teacher.name = row.name
            teacher.residentID = row.residentID.value
            teacher.mobile = row.phone
            teacher.stage = stage
            try await teacher.update(on: db)
            if changes["stage"] != nil { try await ProgressRollup.rebuild(counties: [teacher.countyCode], on: sql) }
            try await AuditLog.record(
                on: db, actor: actor, action: .update, objectType: "teacher", objectID: String(id),
                countyCode: teacher.countyCode, cityCode: teacher.cityCode, changes: changes,
                summary: "修改教师 \(teacher.name) 的信息（\(changes.keys.sorted().joined(separator: "、"))）")
            return teacher
        }
    }
}
