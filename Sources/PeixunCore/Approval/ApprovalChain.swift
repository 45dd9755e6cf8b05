/// One unit's report as the engine sees it: its level and state, the state of the unit above
/// it (nil when the level above is the approver, which has none), the states of the units
/// below it that take part, and what the workflow says blocks its submission.
public struct ApprovalUnit: Sendable, Equatable {
    public var level: ApprovalLevel
    public var state: ApprovalState
    public var parentState: ApprovalState?
    public var childStates: [ApprovalState]
    public var blockers: [ApprovalRefusal]

    public init(level: ApprovalLevel, state: ApprovalState, parentState: ApprovalState? = nil,
                childStates: [ApprovalState] = [], blockers: [ApprovalRefusal] = []) {
        self.level = level
        self.state = state
        self.parentState = parentState
        self.childStates = childStates
        self.blockers = blockers
    }

    /// The level above has taken the report: nothing below it may change until it is returned.
    public var isLockedAbove: Bool { parentState.map { !$0.isEditable } ?? false }
}

/// A workflow's levels and its one transition function, in the spirit of DHIS2's multi-level
/// data approval: a level works on its unit while it is open or returned and the level above
/// has not taken it; it submits once every unit below it has submitted and nothing blocks it;
/// the level above sends a submitted unit back with a reason (while it has not itself
/// submitted); the top level approves and may reopen what it approved.
public struct ApprovalChain: Sendable, Equatable {
    /// Lowest first; the last level approves.
    public let levels: [ApprovalLevel]

    public init(_ levels: [ApprovalLevel]) {
        precondition(levels.count >= 2, "a chain needs a level that reports and one that approves")
        self.levels = levels
    }

    public var approver: ApprovalLevel { levels.last! }
    public var lowest: ApprovalLevel { levels.first! }

    public func parent(of level: ApprovalLevel) -> ApprovalLevel? {
        levels.firstIndex(of: level).flatMap { $0 + 1 < levels.count ? levels[$0 + 1] : nil }
    }

    public func child(of level: ApprovalLevel) -> ApprovalLevel? {
        levels.firstIndex(of: level).flatMap { $0 > 0 ? levels[$0 - 1] : nil }
    }

    /// What `actor` may do with `unit`.
    public func actions(for actor: ApprovalLevel, on unit: ApprovalUnit) -> ApprovalActions {
        var actions = ApprovalActions()
        for kind in ApprovalEvent.Kind.allCases where refusal(kind, unit, actor) == nil {
            switch kind {
            case .submit: actions.maySubmit = true
            case .sendBack: actions.maySendBack = true
            case .approve: actions.mayApprove = true
            case .reopen: actions.mayReopen = true
            }
        }
        actions.mayEdit = actor == unit.level && unit.state.isEditable && !unit.isLockedAbove
        return actions
    }

    /// The state `unit` is in after `event` by `actor`, or why the event is refused.
    public func transition(_ unit: ApprovalUnit, _ event: ApprovalEvent, by actor: ApprovalLevel) throws(ApprovalRefusal) -> ApprovalState {
        if case .sendBack(let reason) = event, reason.allSatisfy(\.isWhitespace) {
            throw ApprovalRefusal(code: "approval.reason_missing", message: "请填写退回原因")
        }
        if let refusal = refusal(event.kind, unit, actor) { throw refusal }
        switch event {
        case .submit: return .submitted
        case .sendBack: return .returned
        case .approve: return .approved
        case .reopen: return .submitted
        }
    }

    private func refusal(_ kind: ApprovalEvent.Kind, _ unit: ApprovalUnit, _ actor: ApprovalLevel) -> ApprovalRefusal? {
        guard levels.contains(unit.level), unit.level != approver else {
            return ApprovalRefusal(code: "approval.level", message: "\(unit.level.label)不在本流程的上报层级中")
        }
        let above = parent(of: unit.level)!
        switch kind {
        case .submit:
            guard actor == unit.level else { return notYours(kind, unit, actor) }
            guard unit.state.isEditable else {
                return ApprovalRefusal(code: "approval.state", message: "\(unit.level.label)已\(unit.state == .approved ? "审核" : "提交")，不能再次提交")
            }
            if unit.isLockedAbove {
                return ApprovalRefusal(code: "approval.locked_above", message: "\(above.label)已提交，不能再修改；如需修改请联系\(above.label)退回")
            }
            if child(of: unit.level) != nil {
                if unit.childStates.isEmpty {
                    return ApprovalRefusal(code: "approval.empty", message: "没有可提交的下级数据")
                }
                if let open = unit.childStates.filter({ $0 != .submitted && $0 != .approved }).first {
                    let below = child(of: unit.level)!.label
                    return ApprovalRefusal(code: "approval.children_open",
                                           message: "还有\(below)\(open == .returned ? "被退回后" : "")尚未提交（\(unit.childStates.filter { $0 != .submitted && $0 != .approved }.count) 个）")
                }
            }
            if let blocker = unit.blockers.first { return blocker }
            return nil
        case .sendBack:
            guard actor == above else { return notYours(kind, unit, actor) }
            guard unit.state == .submitted else {
                return ApprovalRefusal(code: "approval.state", message: "\(unit.level.label)\(unit.state == .approved ? "已审核，须先重新打开" : "尚未提交")，不能退回")
            }
            if unit.isLockedAbove {
                return ApprovalRefusal(code: "approval.locked_above", message: "本级已提交，不能再退回下级；如需退回请联系上级先退回本级")
            }
            return nil
        case .approve, .reopen:
            guard actor == approver, above == approver else { return notYours(kind, unit, actor) }
            let expected: ApprovalState = kind == .approve ? .submitted : .approved
            guard unit.state == expected else {
                return ApprovalRefusal(code: "approval.state", message: kind == .approve
                    ? "\(unit.level.label)\(unit.state == .approved ? "已审核" : "尚未提交")，不能审核"
                    : "\(unit.level.label)尚未审核，无需重新打开")
            }
            return nil
        }
    }

    private func notYours(_ kind: ApprovalEvent.Kind, _ unit: ApprovalUnit, _ actor: ApprovalLevel) -> ApprovalRefusal {
        let who: String
        switch kind {
        case .submit: who = unit.level.label
        case .sendBack: who = parent(of: unit.level)?.label ?? approver.label
        case .approve, .reopen: who = approver.label
        }
        let verb = ["submit": "提交", "sendBack": "退回", "approve": "审核", "reopen": "重新打开"][kind.rawValue]!
        return ApprovalRefusal(code: "approval.not_your_level", message: "只有\(who)可以\(verb)\(unit.level.label)的数据")
    }
}

/// Deadlines: a submission after its deadline is flagged late, never refused.
public enum ApprovalDeadline {
    public static func isLate(submittedOn day: CivilDate, deadline: CivilDate) -> Bool { day > deadline }
}
