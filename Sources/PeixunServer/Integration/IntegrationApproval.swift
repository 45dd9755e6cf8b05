import Fluent
import Foundation
import PeixunCore
import SQLKit

/// The integration workflow's part of the approval engine: counties with entries take part,
/// open conflicts block a county, approving a city makes its verified entries passed records,
/// reopening withdraws exactly those.
struct IntegrationApproval: ApprovalHooks {
    let regions: RegionDirectory
    let clock: any AppClock

    var workflow: ApprovalWorkflowKind { .integration }
    var chain: ApprovalChain { IntegrationWorkflow.chain }
    var auditObjectType: String { "integration_batch" }
    var reportName: String { "整合名单" }

    func level(of role: Role) -> ApprovalLevel? { IntegrationWorkflow.level(of: role) }

    func children(of region: Region, subject: Int, on db: any Database) async throws -> [String] {
        struct Row: Decodable { let county_code: String }
        let sql = db as! any SQLDatabase
        return try await sql.select().distinct().column("county_code").from(IntegrationEntryModel.schema)
            .where("batch_id", .equal, subject).where("city_code", .equal, region.code).all(decoding: Row.self).map(\.county_code)
    }

    func blockers(of region: Region, subject: Int, on db: any Database) async throws -> [ApprovalRefusal] {
        guard region.level == .county else { return [] }
        return IntegrationWorkflow.blockers(openConflicts: try await Self.openConflicts(batchID: subject, county: region.code, on: db))
    }

    static func openConflicts(batchID: Int, county: String, on db: any Database) async throws -> Int {
        try await IntegrationEntryModel.query(on: db).filter(\.$batchID == batchID).filter(\.$countyCode == county)
            .filter(\.$conflict != nil).filter(\.$status == EntryStatus.pending.rawValue).count()
    }

    func deadline(subject: Int, on db: any Database) async throws -> CivilDate? {
        try await IntegrationBatchModel.find(subject, on: db).flatMap { CivilDate(iso: $0.deadline) }
    }

    /// Each verified entry of the city becomes a passed record of the project and year; a
    /// teacher not yet registered is created in the entry's county and school. Approving again
    /// never duplicates a record.
    func didApprove(_ city: Region, subject batchID: Int, on db: any Database) async throws -> (changes: [String: AuditLog.Change], summary: String) {
        guard let batch = try await IntegrationBatchModel.find(batchID, on: db) else { throw AppError.notFound("整合批次") }
        let sql = db as! any SQLDatabase
        let entries = try await IntegrationEntryModel.query(on: db).filter(\.$batchID == batchID).filter(\.$cityCode == city.code)
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
        try await TrainingLedger(database: sql, clock: clock).record(teacherIDs.values.map {
            TrainingLedger.Entry(teacherID: $0, projectID: batch.projectID, year: batch.year, result: .passed)
        })
        for chunk in entries.filter({ teacherIDs[$0.residentID] != nil }).compactMap(\.id).chunked(into: 1000) {
            try await sql.update(IntegrationEntryModel.schema).set("record_created", to: true).where("id", .in, chunk).run()
        }
        // The city's summary table (附件2 汇总表) as approved, after its records are written.
        let frozen = try await FrozenTables(database: db, regions: regions).freeze(.summary, workflow: workflow, subject: batchID, region: city)
        return (["records": .init(before: nil, after: String(teacherIDs.count)), "snapshot": .init(before: nil, after: String(frozen.id ?? 0))],
                "：新增培训记录 \(teacherIDs.count) 条，已保存审核时的汇总表")
    }

    /// The records the approval created are withdrawn, 1,000 at a time (reopening 成都市
    /// withdraws 130,000 records).
    func didReopen(_ city: Region, subject batchID: Int, on db: any Database) async throws -> (changes: [String: AuditLog.Change], summary: String) {
        guard let batch = try await IntegrationBatchModel.find(batchID, on: db) else { throw AppError.notFound("整合批次") }
        let sql = db as! any SQLDatabase
        struct Created: Decodable { let id: Int; let resident_id: String }
        let entries = try await sql.select().columns("id", "resident_id").from(IntegrationEntryModel.schema)
            .where("batch_id", .equal, batchID).where("city_code", .equal, city.code).where("record_created", .equal, true)
            .all(decoding: Created.self)
        struct Teacher: Decodable { let id: Int }
        var teacherIDs: [Int] = []
        for chunk in entries.chunked(into: 1000) {
            teacherIDs += try await sql.select().column("id").from(TeacherModel.schema)
                .where("resident_id", .in, chunk.map(\.resident_id)).all(decoding: Teacher.self).map(\.id)
            try await sql.update(IntegrationEntryModel.schema).set("record_created", to: false)
                .where("id", .in, chunk.map(\.id)).run()
        }
        try await TrainingLedger(database: sql, clock: clock).withdraw(teacherIDs: teacherIDs, projectID: batch.projectID)
        _ = try await FrozenTables(database: db, regions: regions).reopen(.summary, workflow: workflow, subject: batchID, region: city)
        return (["withdrawn": .init(before: nil, after: String(entries.count))], "，撤回培训记录 \(entries.count) 条")
    }
}
