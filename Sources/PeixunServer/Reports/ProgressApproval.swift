import Fluent
import Foundation
import PeixunCore
import SQLKit

/// Appendix 1 (培训实施情况统计表) on the approval engine, as the `completion` reporting task:
/// subject = the year; every county of a city confirms its figures for the year (提交), the
/// city checks its counties (may send one back with a reason) and submits, the province
/// approves the city (审核通过). A county without the year's official counts (专任教师数) has
/// nothing to confirm. Approving keeps the city's Appendix 1 cell by cell (`Frozen/`);
/// reopening marks that snapshot as no longer the approved version.
struct ProgressApproval: ApprovalHooks {
    let regions: RegionDirectory

    var workflow: ApprovalWorkflowKind { .completion }
    var chain: ApprovalChain { IntegrationWorkflow.chain }
    var auditObjectType: String { "progress_report" }
    var reportName: String { "培训实施情况统计表（附件1）" }

    /// The timeliness task whose deadline (31 December unless the province moved it) applies.
    static let task = ReportingTask.named("completion")!

    func level(of role: Role) -> ApprovalLevel? { IntegrationWorkflow.level(of: role) }

    /// The city's counties that have official counts for the year: one without them cannot
    /// confirm (`blockers`), so waiting for it would hold the city back for ever.
    func children(of region: Region, subject year: Int, on db: any Database) async throws -> [String] {
        guard region.level == .city else { return [] }
        guard let schoolYear = try await ProgressReportService.statisticsYear(for: year, on: db as! any SQLDatabase) else { return [] }
        struct Row: Decodable { let county_code: String }
        let counted = Set(try await (db as! any SQLDatabase).select().distinct().column("county_code").from(OfficialCountModel.schema)
            .where("city_code", .equal, region.code).where("school_year", .equal, schoolYear)
            .all(decoding: Row.self).map(\.county_code))
        return regions.counties(in: region.code).map(\.code).filter(counted.contains)
    }

    func blockers(of region: Region, subject year: Int, on db: any Database) async throws -> [ApprovalRefusal] {
        guard region.level == .county else { return [] }
        guard let schoolYear = try await ProgressReportService.statisticsYear(for: year, on: db as! any SQLDatabase),
              try await OfficialCountModel.query(on: db).filter(\.$countyCode == region.code).filter(\.$schoolYear == schoolYear).count() > 0 else {
            return [ApprovalRefusal(code: "progress.no_statistics",
                                    message: "\(region.name)尚未导入教育事业统计的专任教师数，\(year)年培训实施情况无从确认；请先导入专任教师数")]
        }
        return []
    }

    func deadline(subject year: Int, on db: any Database) async throws -> CivilDate? {
        try await TaskDeadlines(database: db).deadline(Self.task, year: year)
    }

    func didApprove(_ region: Region, subject: Int, on db: any Database) async throws -> (changes: [String: AuditLog.Change], summary: String) {
        let frozen = try await FrozenTables(database: db, regions: regions).freeze(.progress, workflow: workflow, subject: subject, region: region)
        return (["snapshot": .init(before: nil, after: String(frozen.id ?? 0))], "，已保存审核时的附件1")
    }

    func didReopen(_ region: Region, subject: Int, on db: any Database) async throws -> (changes: [String: AuditLog.Change], summary: String) {
        let count = try await FrozenTables(database: db, regions: regions).reopen(.progress, workflow: workflow, subject: subject, region: region)
        return count == 0 ? ([:], "") : (["snapshot": .init(before: "approved", after: "reopened")], "，审核时的附件1不再是审核版本")
    }
}
