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
        let entries = try await IntegrationTeachers.verifiedEntries(batchID: batchID, city: city.code, on: db)
        let teachers = try await IntegrationTeachers.ensureRegistered(entries, project: batch.projectID, on: db, regions: regions)
        // Records that already exist (approved before, or reopened and approved again) stay;
        // a teacher listed twice gets one record, from the first entry.
        var unrecorded: [TrainingLedger.Unrecorded] = []
        var seen = Set<Int>()
        for entry in entries {
            guard let teacher = teachers[entry.residentID], teacher.recordID == nil, seen.insert(teacher.id).inserted else { continue }
            unrecorded.append(.init(teacherID: teacher.id, countyCode: teacher.countyCode, firstPassedYear: teacher.firstPassedYear,
                                    integrationEntryID: entry.id))
        }
        try await TrainingLedger(database: db, clock: clock).recordPassed(unrecorded, projectID: batch.projectID, year: batch.year)
        // The city's summary table (附件2 汇总表) as approved, after its records are written.
        let frozen = try await FrozenTables(database: db, regions: regions).freeze(.summary, workflow: workflow, subject: batchID, region: city)
        return (["records": .init(before: nil, after: String(unrecorded.count)), "snapshot": .init(before: nil, after: String(frozen.id ?? 0))],
                "：新增培训记录 \(unrecorded.count) 条，已保存审核时的汇总表")
    }

    /// The records the approval created, and only those, are withdrawn (reopening 成都市 withdraws 130,000).
    func didReopen(_ city: Region, subject batchID: Int, on db: any Database) async throws -> (changes: [String: AuditLog.Change], summary: String) {
        let withdrawn = try await TrainingLedger(database: db, clock: clock).withdrawRecords(ofEntries: """
            SELECT id FROM integration_entries WHERE batch_id = \(bind: batchID) AND city_code = \(bind: city.code)
            """)
        _ = try await FrozenTables(database: db, regions: regions).reopen(.summary, workflow: workflow, subject: batchID, region: city)
        return (["withdrawn": .init(before: nil, after: String(withdrawn))], "，撤回培训记录 \(withdrawn) 条")
    }
}
