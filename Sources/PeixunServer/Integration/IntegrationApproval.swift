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
        // Plain rows, not models: a city's approval reads 20,000–130,000 entries.
        let entries = try await sql.raw("""
            SELECT id, resident_id, name, phone, school, county_code FROM integration_entries
            WHERE batch_id = \(bind: batchID) AND city_code = \(bind: city.code) AND status = \(bind: EntryStatus.verified.rawValue)
            ORDER BY id
            """).all(decoding: IntegrationTeachers.Entry.self)
        var teacherIDs = try await IntegrationTeachers.ensureRegistered(entries, on: db, regions: regions)
        // Records that already exist (approved before, or reopened and approved again) stay.
        struct Existing: Decodable { let teacher_id: Int }
        var existing = Set<Int>()
        for teachers in sql.predicates("teacher_id", in: Array(teacherIDs.values)) {
            for row in try await sql.raw("SELECT teacher_id FROM training_records WHERE project_id = \(bind: batch.projectID) AND \(teachers)")
                .all(decoding: Existing.self) {
                existing.insert(row.teacher_id)
            }
        }
        teacherIDs = teacherIDs.filter { !existing.contains($0.value) }
        try await TrainingLedger(database: db, clock: clock).record(teacherIDs.values.map {
            TrainingLedger.Entry(teacherID: $0, projectID: batch.projectID, year: batch.year, result: .passed)
        })
        for created in sql.predicates("id", in: entries.filter({ teacherIDs[$0.resident_id] != nil }).map(\.id)) {
            try await sql.raw("UPDATE integration_entries SET record_created = \(bind: true) WHERE \(created)").run()
        }
        // The city's summary table (附件2 汇总表) as approved, after its records are written.
        let frozen = try await FrozenTables(database: db, regions: regions).freeze(.summary, workflow: workflow, subject: batchID, region: city)
        return (["records": .init(before: nil, after: String(teacherIDs.count)), "snapshot": .init(before: nil, after: String(frozen.id ?? 0))],
                "：新增培训记录 \(teacherIDs.count) 条，已保存审核时的汇总表")
    }

    /// The records the approval created are withdrawn, 1,000 at a time on SQLite, at once on
    /// PostgreSQL (reopening 成都市 withdraws 130,000 records).
    func didReopen(_ city: Region, subject batchID: Int, on db: any Database) async throws -> (changes: [String: AuditLog.Change], summary: String) {
        guard let batch = try await IntegrationBatchModel.find(batchID, on: db) else { throw AppError.notFound("整合批次") }
        let sql = db as! any SQLDatabase
        struct Created: Decodable { let id: Int; let resident_id: String }
        let entries = try await sql.select().columns("id", "resident_id").from(IntegrationEntryModel.schema)
            .where("batch_id", .equal, batchID).where("city_code", .equal, city.code).where("record_created", .equal, true)
            .all(decoding: Created.self)
        struct Teacher: Decodable { let id: Int }
        var teacherIDs: [Int] = []
        for residents in sql.predicates("resident_id", in: entries.map(\.resident_id)) {
            teacherIDs += try await sql.raw("SELECT id FROM teachers WHERE \(residents)").all(decoding: Teacher.self).map(\.id)
        }
        for reopened in sql.predicates("id", in: entries.map(\.id)) {
            try await sql.raw("UPDATE integration_entries SET record_created = \(bind: false) WHERE \(reopened)").run()
        }
        try await TrainingLedger(database: db, clock: clock).withdraw(teacherIDs: teacherIDs, projectID: batch.projectID)
        _ = try await FrozenTables(database: db, regions: regions).reopen(.summary, workflow: workflow, subject: batchID, region: city)
        return (["withdrawn": .init(before: nil, after: String(entries.count))], "，撤回培训记录 \(entries.count) 条")
    }
}
