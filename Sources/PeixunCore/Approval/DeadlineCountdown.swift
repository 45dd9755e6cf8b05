/// How far a level's deadline is, for the dashboards: counted only while the level still has
/// work to do (open or sent back); once it has submitted the countdown no longer concerns it.
public struct DeadlineCountdown: Sendable, Equatable, Codable {
    public let deadline: CivilDate
    /// Negative once the deadline has passed.
    public let daysLeft: Int
    public let concerns: Bool

    public init(deadline: CivilDate, today: CivilDate, state: ApprovalState) {
        self.deadline = deadline
        self.daysLeft = today.days(until: deadline)
        self.concerns = state.isEditable
    }

    public var isOverdue: Bool { concerns && daysLeft < 0 }
    /// Seven days or fewer, not yet past.
    public var isNear: Bool { concerns && (0...7).contains(daysLeft) }

    public var label: String {
        guard concerns else { return "—" }
        switch daysLeft {
        case 1...: return "还剩 \(daysLeft) 天"
        case 0: return "今天截止"
        default: return "已逾期 \(-daysLeft) 天"
        }
    }
}
