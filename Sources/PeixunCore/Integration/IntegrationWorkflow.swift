/// 合作项目整合流程 (Appendix 2): a project × year's qualified list goes down to the counties,
/// each county verifies its teachers in person and submits, the city reviews and submits,
/// the province approves. States and permissions follow DHIS2's multi-level approval:
/// a level can act only while the level above has not taken the data. It runs on the approval
/// engine (`ApprovalChain`); what is particular to it is said here: who acts at which level,
/// that open conflicts block a county, and the names of its flags.

/// One entry of the qualified list at its county.
public enum EntryStatus: String, Sendable, Codable, CaseIterable {
    case pending, verified, rejected

    public var label: String {
        switch self {
        case .pending: "待核实"
        case .verified: "已核实"
        case .rejected: "不予认定"
        }
    }
}

/// Why a county did not confirm an entry.
public enum RejectionReason: String, Sendable, Codable, CaseIterable {
    case notOurTeacher, certificateNotPresented, certificateMismatch, duplicate, other

    public var label: String {
        switch self {
        case .notOurTeacher: "非本县教师"
        case .certificateNotPresented: "未出示合格证书"
        case .certificateMismatch: "证书信息不符"
        case .duplicate: "重复"
        case .other: "其他"
        }
    }
}

/// What the caller may do next; every page and API response carries it. `mayVerify` is the
/// engine's `mayEdit` for a county's part.
public struct WorkflowActions: Sendable, Codable, Equatable {
    public var mayVerify = false
    public var maySubmit = false
    public var maySendBack = false
    public var mayApprove = false
    public var mayReopen = false

    public init(mayVerify: Bool = false, maySubmit: Bool = false, maySendBack: Bool = false, mayApprove: Bool = false, mayReopen: Bool = false) {
        self.mayVerify = mayVerify
        self.maySubmit = maySubmit
        self.maySendBack = maySendBack
        self.mayApprove = mayApprove
        self.mayReopen = mayReopen
    }

    init(_ actions: ApprovalActions, verifying: Bool) {
        self.init(mayVerify: verifying && actions.mayEdit, maySubmit: actions.maySubmit, maySendBack: actions.maySendBack,
                  mayApprove: actions.mayApprove, mayReopen: actions.mayReopen)
    }
}

public enum IntegrationWorkflow {
    public static let chain = ApprovalChain([.county, .city, .province])

    /// The level a role acts at; roles outside the chain act at none.
    public static func level(of role: Role) -> ApprovalLevel? {
        switch role {
        case .county: .county
        case .city: .city
        case .province: .province
        case .institution, .reviewer, .teacher: nil
        }
    }

    /// 30 September of the batch's year, unless the province sets another date.
    public static func defaultDeadline(year: Int) -> CivilDate { CivilDate(year: year, month: 9, day: 30)! }

    /// What blocks a county's submission: conflicts it has not yet cleared.
    public static func blockers(openConflicts: Int) -> [ApprovalRefusal] {
        openConflicts == 0 ? [] : [ApprovalRefusal(code: "integration.conflicts", message: "还有 \(openConflicts) 条冲突未处理，处理后才能提交")]
    }

    /// A county's part of a batch, as the engine sees it.
    public static func countyUnit(county: ApprovalState, city: ApprovalState, openConflicts: Int) -> ApprovalUnit {
        ApprovalUnit(level: .county, state: county, parentState: city, blockers: blockers(openConflicts: openConflicts))
    }

    /// A city's part, given the states of its counties that have entries (a county with none
    /// has nothing to submit).
    public static func cityUnit(city: ApprovalState, counties: [ApprovalState]) -> ApprovalUnit {
        ApprovalUnit(level: .city, state: city, childStates: counties)
    }

    /// A user's actions on one county's part of a batch.
    public static func countyActions(role: Role, county: ApprovalState, city: ApprovalState, openConflicts: Int) -> WorkflowActions {
        actions(role: role, on: countyUnit(county: county, city: city, openConflicts: openConflicts))
    }

    /// A user's actions on one city's part of a batch.
    public static func cityActions(role: Role, city: ApprovalState, counties: [ApprovalState]) -> WorkflowActions {
        actions(role: role, on: cityUnit(city: city, counties: counties))
    }

    public static func actions(role: Role, on unit: ApprovalUnit) -> WorkflowActions {
        guard let level = level(of: role) else { return WorkflowActions() }
        return WorkflowActions(chain.actions(for: level, on: unit), verifying: unit.level == .county)
    }
}
