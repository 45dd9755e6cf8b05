import Testing
@testable import PeixunCore

/// Every (unit level, state, state above, units below, blockers, event, actor) of the
/// county → city → province chain: the steps in `allowed` succeed with the state they name,
/// every other one is refused with a code and a sentence, and `actions(for:)` agrees.
@Suite struct ApprovalChainTests {
    let chain = ApprovalChain([.county, .city, .province])

    struct Case: CustomStringConvertible {
        let level: ApprovalLevel
        let state: ApprovalState
        let parent: ApprovalState?
        let children: [ApprovalState]
        let blocked: Bool
        let event: ApprovalEvent.Kind
        let actor: ApprovalLevel

        var description: String {
            "\(actor) \(event) on \(level) \(state) (above: \(parent.map(\.rawValue) ?? "—"), below: \(children.map(\.rawValue)), blocked: \(blocked))"
        }
    }

    /// The whole rule, one line per allowed step; anything not here is refused.
    static func allowed(_ c: Case) -> ApprovalState? {
        let editable = c.state == .open || c.state == .returned
        let aboveOpen = c.parent == nil || c.parent == .open || c.parent == .returned
        switch (c.level, c.event, c.actor) {
        case (.county, .submit, .county) where editable && aboveOpen && !c.blocked: return .submitted
        case (.county, .sendBack, .city) where c.state == .submitted && aboveOpen: return .returned
        case (.city, .submit, .city) where editable && !c.children.isEmpty && c.children.allSatisfy({ $0 == .submitted }) && !c.blocked: return .submitted
        case (.city, .sendBack, .province) where c.state == .submitted: return .returned
        case (.city, .approve, .province) where c.state == .submitted: return .approved
        case (.city, .reopen, .province) where c.state == .approved: return .submitted
        default: return nil
        }
    }

    static let codes: Set<String> = ["approval.state", "approval.not_your_level", "approval.locked_above", "approval.children_open",
                                     "approval.empty", "conflicts.open", "approval.level"]

    func event(_ kind: ApprovalEvent.Kind) -> ApprovalEvent {
        switch kind {
        case .submit: .submit
        case .sendBack: .sendBack(reason: "人数不符")
        case .approve: .approve
        case .reopen: .reopen
        }
    }

    @Test func everyStepOfTheChainIsAllowedOrRefusedAsTheTableSays() {
        var cases: [Case] = []
        let childSets: [[ApprovalState]] = [[], [.submitted, .submitted], [.submitted, .open], [.returned]]
        for level in [ApprovalLevel.county, .city] {
            for state in ApprovalState.allCases {
                for parent in level == .county ? ApprovalState.allCases.map(Optional.some) : [nil] {
                    for children in level == .city ? childSets : [[]] {
                        for blocked in [false, true] {
                            for kind in ApprovalEvent.Kind.allCases {
                                for actor in ApprovalLevel.allCases {
                                    cases.append(Case(level: level, state: state, parent: parent, children: children,
                                                      blocked: blocked, event: kind, actor: actor))
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(cases.count == 1_024)
        var successes = 0
        for c in cases {
            let unit = ApprovalUnit(level: c.level, state: c.state, parentState: c.parent, childStates: c.children,
                                    blockers: c.blocked ? [ApprovalRefusal(code: "conflicts.open", message: "还有 2 条冲突未处理")] : [])
            let expected = Self.allowed(c)
            do {
                let next = try chain.transition(unit, event(c.event), by: c.actor)
                #expect(next == expected, "\(c) → \(next)")
                successes += 1
            } catch {
                #expect(expected == nil, "\(c) refused: \(error.message)")
                #expect(Self.codes.contains(error.code), "\(c): \(error.code)")
                #expect(error.message.unicodeScalars.contains { $0.properties.isIdeographic }, "\(c): \(error.message)")
            }
            let actions = chain.actions(for: c.actor, on: unit)
            let flag = switch c.event {
            case .submit: actions.maySubmit
            case .sendBack: actions.maySendBack
            case .approve: actions.mayApprove
            case .reopen: actions.mayReopen
            }
            #expect(flag == (expected != nil), "actions disagree: \(c)")
            #expect(actions.mayEdit == (c.actor == c.level && (c.state == .open || c.state == .returned)
                                        && (c.parent == nil || c.parent!.isEditable)), "mayEdit: \(c)")
        }
        #expect(successes > 0 && successes == cases.filter { Self.allowed($0) != nil }.count)
    }

    @Test func aBlockedSubmissionSaysWhatBlocksIt() {
        let unit = ApprovalUnit(level: .county, state: .open, blockers: [ApprovalRefusal(code: "conflicts.open", message: "还有 2 条冲突未处理")])
        #expect(throws: ApprovalRefusal(code: "conflicts.open", message: "还有 2 条冲突未处理")) {
            try chain.transition(unit, .submit, by: .county)
        }
        #expect(throws: ApprovalRefusal(code: "approval.reason_missing", message: "请填写退回原因")) {
            try chain.transition(ApprovalUnit(level: .county, state: .submitted), .sendBack(reason: "  "), by: .city)
        }
    }

    @Test func aLongerChainClimbsTheSameWay() throws {
        let reissue = ApprovalChain([.teacher, .county, .city, .province])
        #expect(reissue.parent(of: .teacher) == .county && reissue.child(of: .county) == .teacher && reissue.approver == .province)
        #expect(try reissue.transition(ApprovalUnit(level: .teacher, state: .open), .submit, by: .teacher) == .submitted)
        #expect(try reissue.transition(ApprovalUnit(level: .teacher, state: .submitted, parentState: .open), .sendBack(reason: "情况说明缺盖章"), by: .county) == .returned)
        #expect(try reissue.transition(ApprovalUnit(level: .county, state: .open, parentState: .open, childStates: [.submitted]), .submit, by: .county) == .submitted)
        #expect(try reissue.transition(ApprovalUnit(level: .city, state: .submitted), .approve, by: .province) == .approved)
        #expect(throws: ApprovalRefusal.self) { try reissue.transition(ApprovalUnit(level: .county, state: .submitted), .approve, by: .province) }
        #expect(throws: ApprovalRefusal.self) { try reissue.transition(ApprovalUnit(level: .province, state: .open), .submit, by: .province) }
    }

    @Test func lateIsFlaggedNeverRefusedAndStoredStatesAreChecked() throws {
        let deadline = CivilDate(year: 2017, month: 3, day: 31)!
        #expect(!ApprovalDeadline.isLate(submittedOn: deadline, deadline: deadline))
        #expect(ApprovalDeadline.isLate(submittedOn: CivilDate(year: 2017, month: 4, day: 1)!, deadline: deadline))
        #expect(try ApprovalState(stored: "returned", at: "submissions 第 3 行") == .returned)
        #expect(throws: StoredValueError(value: "done", place: "submissions 第 3 行")) { try ApprovalState(stored: "done", at: "submissions 第 3 行") }
    }
}
