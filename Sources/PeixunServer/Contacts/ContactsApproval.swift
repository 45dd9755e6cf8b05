import Fluent
import Foundation
import PeixunCore

/// The contacts workflow on the approval engine (附件4): subject = the year; every county of a
/// city takes part; a unit without a contact for the year cannot submit; the deadline is the
/// `contacts` task's (31 March unless the province moved it). Approving changes nothing else.
struct ContactsApproval: ApprovalHooks {
    let regions: RegionDirectory

    var workflow: ApprovalWorkflowKind { .contacts }
    var chain: ApprovalChain { IntegrationWorkflow.chain }
    var auditObjectType: String { "contacts" }
    var reportName: String { "项目联系人信息表" }

    static let task = ReportingTask.named("contacts")!

    func level(of role: Role) -> ApprovalLevel? { IntegrationWorkflow.level(of: role) }

    func children(of region: Region, subject: Int, on db: any Database) async throws -> [String] {
        region.level == .city ? regions.children(of: region.code).map(\.code) : []
    }

    func blockers(of region: Region, subject year: Int, on db: any Database) async throws -> [ApprovalRefusal] {
        guard region.level != .province else { return [] }
        let filled = try await ContactModel.query(on: db).filter(\.$year == year).filter(\.$regionCode == region.code).count() > 0
        return filled ? [] : [ApprovalRefusal(code: "contacts.missing", message: "\(region.name)尚未填写\(year)年项目联系人信息，填写后才能提交")]
    }

    func deadline(subject year: Int, on db: any Database) async throws -> CivilDate? {
        try await TaskDeadlines(database: db).deadline(Self.task, year: year)
    }

    func didApprove(_ region: Region, subject: Int, on db: any Database) async throws -> (changes: [String: AuditLog.Change], summary: String) {
        ([:], "")
    }

    func didReopen(_ region: Region, subject: Int, on db: any Database) async throws -> (changes: [String: AuditLog.Change], summary: String) {
        ([:], "")
    }
}
