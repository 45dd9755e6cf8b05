import Foundation

/// Whether a unit reported, the way DHIS2 counts reporting rates: a report submitted (or
/// approved) on or before the deadline is on time, after it late; one not submitted — never,
/// or sent back and not yet submitted again — is missing.
public enum ReportingStatus: String, Sendable, Codable, CaseIterable {
    case onTime
    case late
    case missing

    public var label: String {
        switch self {
        case .onTime: "按时报送"
        case .late: "逾期报送"
        case .missing: "未报送"
        }
    }

    /// One unit's status in one report.
    public static func of(state: ApprovalState, submittedOn: CivilDate?, deadline: CivilDate) -> ReportingStatus {
        guard state == .submitted || state == .approved, let submittedOn else { return .missing }
        return ApprovalDeadline.isLate(submittedOn: submittedOn, deadline: deadline) ? .late : .onTime
    }

    /// A unit that reports in several subjects (an integration year's batches): missing if any
    /// is missing, else late if any is late.
    public static func combined(_ statuses: [ReportingStatus]) -> ReportingStatus {
        if statuses.contains(.missing) { return .missing }
        if statuses.contains(.late) { return .late }
        return .onTime
    }
}
