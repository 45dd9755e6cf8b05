/// 合作项目整合流程 (Appendix 2): a project × year's qualified list goes down to the counties,
/// each county verifies its teachers in person and submits, the city reviews and submits,
/// the province approves. States and permissions follow DHIS2's multi-level approval:
/// a level can act only while the level above has not taken the data.

/// Where a county's (or a city's) part of a batch stands.
public enum SubmissionState: String, Sendable, Codable, CaseIterable {
    case open, submitted, returned, approved

    public var label: String {
        switch self {
        case .open: "未提交"
        case .submitted: "已提交"
        case .returned: "已退回"
        case .approved: "已审核"
        }
    }

    /// Open for changes by its own level.
    public var isEditable: Bool { self == .open || self == .returned }
}

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

/// What the caller may do next; every page and API response carries it.
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
}

public enum IntegrationWorkflow {
    /// 30 September of the batch's year, unless the province sets another date.
    public static func defaultDeadline(year: Int) -> CivilDate { CivilDate(year: year, month: 9, day: 30)! }

    /// Late submissions are flagged, never refused.
    public static func isLate(submittedOn day: CivilDate, deadline: CivilDate) -> Bool { day > deadline }

    /// A user's actions on one county's part of a batch.
    /// - Parameters:
    ///   - openConflicts: conflicts the county has not yet cleared; they block its submission.
    public static func countyActions(role: Role, county: SubmissionState, city: SubmissionState, openConflicts: Int) -> WorkflowActions {
        let cityTookIt = !city.isEditable
        switch role {
        case .county:
            let editable = county.isEditable && !cityTookIt
            return WorkflowActions(mayVerify: editable, maySubmit: editable && openConflicts == 0)
        case .city:
            return WorkflowActions(maySendBack: county == .submitted && !cityTookIt)
        default:
            return WorkflowActions()
        }
    }

    /// A user's actions on one city's part of a batch, given the states of its counties that
    /// have entries (a county with none has nothing to submit).
    public static func cityActions(role: Role, city: SubmissionState, counties: [SubmissionState]) -> WorkflowActions {
        switch role {
        case .city:
            return WorkflowActions(maySubmit: city.isEditable && !counties.isEmpty && counties.allSatisfy { $0 == .submitted })
        case .province:
            return WorkflowActions(maySendBack: city == .submitted, mayApprove: city == .submitted, mayReopen: city == .approved)
        default:
            return WorkflowActions()
        }
    }
}
