/// Why a certificate is reissued (补发): the notice's 遗失, a damaged paper, or a name to correct.
public enum ReissueKind: String, Sendable, Codable, CaseIterable {
    case lost, damaged, correction

    public var label: String {
        switch self {
        case .lost: "遗失"
        case .damaged: "损毁"
        case .correction: "信息更正"
        }
    }
}

/// Where one reissue request stands. The county's, city's and province's steps over a whole
/// round are the approval engine's; these are the request's own steps before and after them.
public enum ReissueStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for the training institution's statement (情况说明).
    case statement
    /// The statement is in; the county checks the request.
    case check
    /// The county accepted it; it goes up with the county's submission.
    case accepted
    /// The county sent it back to the requester, with a reason. Closed.
    case returned
    /// The province approved the round: a new certificate replaced the old one.
    case reissued

    public var label: String {
        switch self {
        case .statement: "待培训机构出具情况说明"
        case .check: "待县级审核"
        case .accepted: "县级已审核，待逐级报送"
        case .returned: "已退回申请人"
        case .reissued: "已补发"
        }
    }

    /// Open requests: at most one per certificate.
    public static let open: [ReissueStatus] = [.statement, .check, .accepted]

    /// The county has not finished with it: it blocks the county's submission.
    public var blocksSubmission: Bool { self == .statement || self == .check }
}
