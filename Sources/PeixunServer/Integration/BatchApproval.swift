import Fluent
import Foundation
import PeixunCore
import SQLKit

/// The levels above the county: the city sends counties back or submits the city; the
/// province approves a city — its verified entries become `passed` records at level
/// `cooperation` — sends it back, or reopens an approved city (withdrawing those records).
struct BatchApproval {
    let database: any Database
    let regions: RegionDirectory
    let user: CurrentUser
    let actor: AuditLog.Actor

    private var verification: CountyVerification { CountyVerification(database: database, regions: regions, user: user, actor: actor) }

    /// The counties of a city that have entries in the batch, with their states.
    func countyStates(batchID: Int, city: String, on db: any Database) async throws -> [String: SubmissionState] {
        struct Row: Decodable { let county_code: String }
        let sql = db as! any SQLDatabase
        let counties = try await sql.select().distinct().column("county_code").from(IntegrationEntryModel.schema)
            .where("batch_id", .equal, batchID).where("city_code", .equal, city).all(decoding: Row.self).map(\.county_code)
        var states: [String: SubmissionState] = [:]
        for county in counties { states[county] = try await verification.state(batchID: batchID, region: county, on: db) }
        return states
    }

    func cityActions(batchID: Int, city: String, on db: any Database) async throws -> WorkflowActions {
        let counties = try await countyStates(batchID: batchID, city: city, on: db)
        return IntegrationWorkflow.cityActions(role: user.role, city: try await verification.state(batchID: batchID, region: city, on: db),
                                               counties: Array(counties.values))
    }

    private func setState(_ state: SubmissionState, batchID: Int, region: String, reason: String? = nil, late: Bool = false,
                          on db: any Database) async throws -> SubmissionState {
        let row = try await IntegrationSubmissionModel.query(on: db).filter(\.$batchID == batchID).filter(\.$regionCode == region).first()
            ?? IntegrationSubmissionModel()
        let before = row.id == nil ? SubmissionState.open : SubmissionState(rawValue: row.state) ?? .open
        row.batchID = batchID
        row.regionCode = region
        row.state = state.rawValue
        if state == .submitted { row.submittedAt = Date(); row.late = late }
        if row.id == nil && state != .submitted { row.late = false }
        row.returnedReason = reason
        row.updatedBy = user.username
        row.updatedAt = Date()
        try await row.save(on: db)
        return before
    }

    func requireProvince() throws {
        guard user.role == .province else { throw AppError(.forbidden, code: "integration.not_province", "只有省执行办可以审核、退回或重新打开市(州)名单") }
    }

    private func requireCity(_ city: String) throws {
        guard let region = regions.region(code: city), region.level == .city, user.scope.contains(regionCode: city, in: regions) else {
            throw AppError.notFound("市(州)")
        }
    }

    private func reasonText(_ reason: String?) throws -> String {
        guard let text = reason.map(TeacherRowValidator.clean), !text.isEmpty else {
            throw InputRefusal(field: "退回原因", code: "reason.missing", "请填写退回原因")
        }
        return String(text.prefix(200))
    }

    /// 市(州) sends one submitted county back, with the reason the county reads.
    func sendBackCounty(batchID: Int, county: String, reason: String?) async throws {
        let text = try reasonText(reason)
        try await database.transaction { db in
            guard let region = regions.region(code: county), region.level == .county, user.scope.contains(regionCode: county, in: regions) else {
                throw AppError.notFound("县(市、区)")
            }
            let actions = try await verification.actions(batchID: batchID, county: county, on: db)
            guard actions.maySendBack else { throw AppError(.conflict, code: "integration.state", "该县尚未提交，或本市(州)已提交，不能退回") }
            let before = try await setState(.returned, batchID: batchID, region: county, reason: text, on: db)
            try await AuditLog.record(on: db, actor: actor, action: .reject, objectType: "integration_batch", objectID: String(batchID),
                                      countyCode: county, cityCode: region.parentCode,
                                      changes: ["state": .init(before: before.rawValue, after: SubmissionState.returned.rawValue), "reason": .init(before: nil, after: text)],
                                      summary: "退回\(region.name)的整合名单：\(text)")
        }
    }

    /// 市(州) submits once every county with entries has submitted.
    func submitCity(batchID: Int) async throws {
        guard user.role == .city, let city = user.regionCode else { throw AppError(.forbidden, code: "integration.not_city", "只有市(州)可以提交本市(州)名单") }
        try await database.transaction { db in
            guard let batch = try await IntegrationBatchModel.find(batchID, on: db) else { throw AppError.notFound("整合批次") }
            guard try await cityActions(batchID: batchID, city: city, on: db).maySubmit else {
                let open = try await countyStates(batchID: batchID, city: city, on: db).filter { $0.value != .submitted }.keys
                    .compactMap { regions.region(code: $0)?.name }.sorted()
                throw AppError(.conflict, code: "integration.counties_open",
                               open.isEmpty ? "本市(州)名单已提交或没有人员" : "以下县(市、区)尚未提交：\(open.joined(separator: "、"))")
            }
            let late = CivilDate(iso: batch.deadline).map { IntegrationWorkflow.isLate(submittedOn: .today(), deadline: $0) } ?? false
            let before = try await setState(.submitted, batchID: batchID, region: city, late: late, on: db)
            try await AuditLog.record(on: db, actor: actor, action: .submit, objectType: "integration_batch", objectID: String(batchID),
                                      cityCode: city, changes: ["state": .init(before: before.rawValue, after: SubmissionState.submitted.rawValue)],
                                      summary: "提交本市(州)整合名单" + (late ? "（逾期）" : ""))
        }
    }

    /// 省执行办 sends a submitted city back; the counties it names reopen too.
    func sendBackCity(batchID: Int, city: String, reason: String?, counties: [String]) async throws {
        let text = try reasonText(reason)
        try requireProvince()
        try requireCity(city)
        try await database.transaction { db in
            guard try await cityActions(batchID: batchID, city: city, on: db).maySendBack else {
                throw AppError(.conflict, code: "integration.state", "该市(州)尚未提交或已审核，不能退回")
            }
            let before = try await setState(.returned, batchID: batchID, region: city, reason: text, on: db)
            let states = try await countyStates(batchID: batchID, city: city, on: db)
            for county in counties where states[county] != nil {
                _ = try await setState(.returned, batchID: batchID, region: county, reason: text, on: db)
            }
            try await AuditLog.record(on: db, actor: actor, action: .reject, objectType: "integration_batch", objectID: String(batchID),
                                      cityCode: city,
                                      changes: ["state": .init(before: before.rawValue, after: SubmissionState.returned.rawValue),
                                                "reason": .init(before: nil, after: text),
                                                "counties": .init(before: nil, after: counties.joined(separator: ","))],
                                      summary: "退回\(regions.region(code: city)?.name ?? city)的整合名单：\(text)")
        }
    }

    /// 省执行办 approves a submitted city: each verified entry becomes a passed record of the
    /// project and year; a teacher not yet registered is created in the entry's county and
    /// school. Approving again never duplicates a record.
    func approveCity(batchID: Int, city: String) async throws -> Int {
        try await provinceStep(batchID: batchID, city: city, allowed: \.mayApprove, refusal: "该市(州)尚未提交或已审核") { db, batch in
            let sql = db as! any SQLDatabase
            let entries = try await IntegrationEntryModel.query(on: db).filter(\.$batchID == batchID).filter(\.$cityCode == city)
                .filter(\.$status == EntryStatus.verified.rawValue).all()
            var teacherIDs = try await IntegrationTeachers.ensureRegistered(entries, on: db, regions: regions)
            // Records that already exist (approved before, or reopened and approved again) stay.
            struct Existing: Decodable { let teacher_id: Int }
            var existing = Set<Int>()
            for chunk in Array(teacherIDs.values).chunked(into: 1000) {
                for row in try await sql.select().column("teacher_id").from(TrainingRecordModel.schema)
                    .where("project_id", .equal, batch.projectID).where("teacher_id", .in, chunk).all(decoding: Existing.self) {
                    existing.insert(row.teacher_id)
                }
            }
            teacherIDs = teacherIDs.filter { !existing.contains($0.value) }
            try await TrainingLedger(database: sql).record(teacherIDs.values.map {
                TrainingLedger.Entry(teacherID: $0, projectID: batch.projectID, year: batch.year, result: .passed)
            })
            for chunk in entries.filter({ teacherIDs[$0.residentID] != nil }).compactMap(\.id).chunked(into: 1000) {
                try await sql.update(IntegrationEntryModel.schema).set("record_created", to: true).where("id", .in, chunk).run()
            }
            let before = try await setState(.approved, batchID: batchID, region: city, on: db)
            try await AuditLog.record(on: db, actor: actor, action: .approve, objectType: "integration_batch", objectID: String(batchID),
                                      cityCode: city,
                                      changes: ["state": .init(before: before.rawValue, after: SubmissionState.approved.rawValue),
                                                "records": .init(before: nil, after: String(teacherIDs.count))],
                                      summary: "审核认定\(regions.region(code: city)?.name ?? city)的整合名单：新增培训记录 \(teacherIDs.count) 条")
            return teacherIDs.count
        }
    }

    /// 省执行办 reopens an approved city (explicit, audited): the records the approval created
    /// are withdrawn in the same transaction and the city may be sent back or approved again.
    func reopenCity(batchID: Int, city: String) async throws -> Int {
        try await provinceStep(batchID: batchID, city: city, allowed: \.mayReopen, refusal: "该市(州)尚未审核，无需重新打开") { db, batch in
            let sql = db as! any SQLDatabase
            struct Created: Decodable { let id: Int; let resident_id: String }
            let entries = try await sql.select().columns("id", "resident_id").from(IntegrationEntryModel.schema)
                .where("batch_id", .equal, batchID).where("city_code", .equal, city).where("record_created", .equal, true)
                .all(decoding: Created.self)
            // 1,000 at a time: reopening 成都市 withdraws 130,000 records.
            struct Teacher: Decodable { let id: Int }
            var teacherIDs: [Int] = []
            for chunk in entries.chunked(into: 1000) {
                teacherIDs += try await sql.select().column("id").from(TeacherModel.schema)
                    .where("resident_id", .in, chunk.map(\.resident_id)).all(decoding: Teacher.self).map(\.id)
                try await sql.update(IntegrationEntryModel.schema).set("record_created", to: false)
                    .where("id", .in, chunk.map(\.id)).run()
            }
            try await TrainingLedger(database: sql).withdraw(teacherIDs: teacherIDs, projectID: batch.projectID)
            let before = try await setState(.submitted, batchID: batchID, region: city, on: db)
            try await AuditLog.record(on: db, actor: actor, action: .cancel, objectType: "integration_batch", objectID: String(batchID),
                                      cityCode: city,
                                      changes: ["state": .init(before: before.rawValue, after: SubmissionState.submitted.rawValue),
                                                "withdrawn": .init(before: nil, after: String(entries.count))],
                                      summary: "重新打开\(regions.region(code: city)?.name ?? city)已审核的整合名单，撤回培训记录 \(entries.count) 条")
            return entries.count
        }
    }
}

extension BatchApproval {
    /// 省级待分配: the province places an entry whose county could not be read from the list.
    func assign(entryID: Int, county code: String) async throws -> IntegrationEntryModel {
        guard user.role == .province else { throw AppError.notFound("名单条目") }
        return try await database.transaction { db in
            guard let entry = try await IntegrationEntryModel.find(entryID, on: db) else { throw AppError.notFound("名单条目") }
            let match = regions.resolve(code, level: .county)
            guard let county = match.region else {
                throw InputRefusal(field: "县(市、区)", code: "region.unknown", regions.unresolvedMessage(match, typed: code) ?? "")
            }
            guard entry.countyCode == nil else {
                throw AppError(.conflict, code: "integration.placed", "该人员已分配到县(市、区)，无需再分配")
            }
            let sql = db as! any SQLDatabase
            struct Last: Decodable { let last: Int? }
            let last = try await sql.raw("SELECT MAX(sequence) AS last FROM integration_entries WHERE batch_id = \(bind: entry.batchID) AND county_code = \(bind: county.code)")
                .first(decoding: Last.self)?.last ?? 0
            entry.countyCode = county.code
            entry.cityCode = county.parentCode
            entry.sequence = last + 1
            entry.conflict = nil
            try await entry.update(on: db)
            let projectID = try await IntegrationBatchModel.find(entry.batchID, on: db)?.projectID ?? 0
            try await IntegrationEntries.markConflicts(batchID: entry.batchID, projectID: projectID,
                                                       entries: "e.id = \(bind: entryID)", on: sql)
            entry.conflict = try await IntegrationEntryModel.find(entryID, on: db)?.conflict
            try await AuditLog.record(on: db, actor: actor, action: .update, objectType: "integration_entry", objectID: String(entryID),
                                      countyCode: county.code, cityCode: county.parentCode,
                                      changes: ["county": .init(before: entry.listedCounty, after: county.code)],
                                      summary: "将待分配人员 \(entry.name) 分配到\(county.name)")
            return entry
        }
    }

    /// The province's approve and reopen: one transaction that first checks the city may take the step.
    private func provinceStep<T: Sendable>(batchID: Int, city: String, allowed: KeyPath<WorkflowActions, Bool>, refusal: String,
                                           _ work: @escaping @Sendable (any Database, IntegrationBatchModel) async throws -> T) async throws -> T {
        try requireProvince()
        try requireCity(city)
        return try await database.transaction { db in
            guard let batch = try await IntegrationBatchModel.find(batchID, on: db) else { throw AppError.notFound("整合批次") }
            guard try await cityActions(batchID: batchID, city: city, on: db)[keyPath: allowed] else {
                throw AppError(.conflict, code: "integration.state", refusal)
            }
            return try await work(db, batch)
        }
    }
}
