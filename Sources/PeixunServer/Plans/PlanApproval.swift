import Fluent
import Foundation
import PeixunCore

/// The training plan's part of the approval engine (Appendix 3): subject = the year; every
/// county of a city takes part; a county whose row is not filled in cannot submit (the checks
/// on the numbers are warnings only); due 31 March of the year.
struct PlanApproval: ApprovalHooks {
    let regions: RegionDirectory

    var workflow: ApprovalWorkflowKind { .plan }
    var chain: ApprovalChain { IntegrationWorkflow.chain }
    var auditObjectType: String { "plan" }
    var reportName: String { "培训计划" }

    func level(of role: Role) -> ApprovalLevel? { IntegrationWorkflow.level(of: role) }

    /// Every county of a city, not only those that have filled something in.
    func children(of region: Region, subject: Int, on db: any Database) async throws -> [String] {
        regions.counties(in: region.code).map(\.code)
    }

    func blockers(of region: Region, subject year: Int, on db: any Database) async throws -> [ApprovalRefusal] {
        guard region.level == .county else { return [] }
        let entry = try await PlanModel.query(on: db).filter(\.$year == year).filter(\.$countyCode == region.code).first()?.entry
        guard entry?.isFilled != true else { return [] }
        return [ApprovalRefusal(code: "plan.incomplete", message: "请先填写省级及以上项目需求数和市县级培训计划数，保存后再提交")]
    }

    /// The plan task's deadline for the year as the province set it (default 31 March), the same
    /// date the timeliness figures use.
    func deadline(subject year: Int, on db: any Database) async throws -> CivilDate? {
        try await TaskDeadlines(database: db).deadline(Self.task, year: year)
    }

    static let task = ReportingTask.named("plan")!

    /// Approving a city keeps its Appendix 3 as approved (`Frozen/`).
    func didApprove(_ region: Region, subject: Int, on db: any Database) async throws -> (changes: [String: AuditLog.Change], summary: String) {
        let frozen = try await FrozenTables(database: db, regions: regions).freeze(.plan, workflow: workflow, subject: subject, region: region)
        return (["snapshot": .init(before: nil, after: String(frozen.id ?? 0))], "，已保存审核时的附件3")
    }

    func didReopen(_ region: Region, subject: Int, on db: any Database) async throws -> (changes: [String: AuditLog.Change], summary: String) {
        let count = try await FrozenTables(database: db, regions: regions).reopen(.plan, workflow: workflow, subject: subject, region: region)
        return count == 0 ? ([:], "") : (["snapshot": .init(before: "approved", after: "reopened")], "，审核时的附件3不再是审核版本")
    }
}
