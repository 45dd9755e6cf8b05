import Fluent
import Foundation
import PeixunCore
import SQLKit

/// What a workflow adds to the approval engine: who acts at which level, which units below
/// take part, what blocks a submission, what approving does and what reopening undoes. A new
/// workflow is a type conforming to this; everything else is `ApprovalService`'s.
protocol ApprovalHooks: Sendable {
    var workflow: ApprovalWorkflowKind { get }
    var chain: ApprovalChain { get }
    /// The audit entries' object type, e.g. `integration_batch`.
    var auditObjectType: String { get }
    /// What the report is called in audit summaries, e.g. 整合名单.
    var reportName: String { get }

    func level(of role: Role) -> ApprovalLevel?
    /// The units one level below `region` that take part in `subject` (counties with entries).
    func children(of region: Region, subject: Int, on db: any Database) async throws -> [String]
    /// Why `region` may not submit yet, besides the engine's own rules.
    func blockers(of region: Region, subject: Int, on db: any Database) async throws -> [ApprovalRefusal]
    func deadline(subject: Int, on db: any Database) async throws -> CivilDate?
    /// Runs in the transition's transaction after the state has changed; returns what to add to its audit entry.
    func didApprove(_ region: Region, subject: Int, on db: any Database) async throws -> (changes: [String: AuditLog.Change], summary: String)
    func didReopen(_ region: Region, subject: Int, on db: any Database) async throws -> (changes: [String: AuditLog.Change], summary: String)
}

/// Applies the engine's transitions to stored submissions: reads a unit's state and the states
/// around it, asks the engine, writes the new state inside the caller's transaction, audits it
/// and calls the workflow's hooks.
struct ApprovalService: Sendable {
    let hooks: any ApprovalHooks
    let regions: RegionDirectory
    let user: CurrentUser
    let actor: AuditLog.Actor
    let clock: any AppClock

    private func row(subject: Int, region: String, on db: any Database) async throws -> SubmissionModel? {
        try await SubmissionModel.query(on: db).filter(\.$workflow == hooks.workflow.rawValue).filter(\.$subjectID == subject)
            .filter(\.$regionCode == region).first()
    }

    func state(subject: Int, region: String, on db: any Database) async throws -> ApprovalState {
        try await row(subject: subject, region: region, on: db)?.state() ?? .open
    }

    /// The states of many units at once (a city's counties, a dashboard's rows); missing ones are open.
    func states(subject: Int, regions codes: [String], on db: any Database) async throws -> [String: ApprovalState] {
        guard !codes.isEmpty else { return [:] }
        var states: [String: ApprovalState] = [:]
        for chunk in codes.chunked(into: 1000) {
            for row in try await SubmissionModel.query(on: db).filter(\.$workflow == hooks.workflow.rawValue)
                .filter(\.$subjectID == subject).filter(\.$regionCode ~~ chunk).all() {
                states[row.regionCode] = try row.state()
            }
        }
        for code in codes where states[code] == nil { states[code] = .open }
        return states
    }

    func level(of region: Region) -> ApprovalLevel? {
        switch region.level {
        case .county: .county
        case .city: .city
        case .province: .province
        }
    }

    /// The unit as the engine sees it: its state, the state above, the states below, its blockers.
    func unit(_ region: Region, subject: Int, on db: any Database) async throws -> ApprovalUnit {
        guard let level = level(of: region), hooks.chain.levels.contains(level) else {
            throw AppError.notFound(region.level.label)
        }
        let above = hooks.chain.parent(of: level)
        var parentState: ApprovalState?
        if let above, above != hooks.chain.approver, let parent = region.parentCode {
            parentState = try await state(subject: subject, region: parent, on: db)
        }
        var childStates: [ApprovalState] = []
        if hooks.chain.child(of: level) != nil {
            let children = try await hooks.children(of: region, subject: subject, on: db)
            childStates = Array(try await states(subject: subject, regions: children, on: db).values)
        }
        return ApprovalUnit(level: level, state: try await state(subject: subject, region: region.code, on: db),
                            parentState: parentState, childStates: childStates,
                            blockers: try await hooks.blockers(of: region, subject: subject, on: db))
    }

    func actions(_ region: Region, subject: Int, on db: any Database) async throws -> ApprovalActions {
        guard let actorLevel = hooks.level(of: user.role) else { return ApprovalActions() }
        return hooks.chain.actions(for: actorLevel, on: try await unit(region, subject: subject, on: db))
    }

    /// Applies `event` to `region`'s report in the caller's transaction `db`; `alsoReturn` names
    /// units below it that a send-back reopens with it. Returns the state before.
    @discardableResult
    func apply(_ event: ApprovalEvent, to region: Region, subject: Int, alsoReturn: [String] = [], on db: any Database) async throws -> ApprovalState {
        guard let actorLevel = hooks.level(of: user.role) else { throw AppError.notFound() }
        let unit = try await unit(region, subject: subject, on: db)
        let next: ApprovalState
        do {
            next = try hooks.chain.transition(unit, event, by: actorLevel)
        } catch {
            throw AppError(.conflict, code: error.code, error.message)
        }
        var late = false
        if event == .submit, let deadline = try await hooks.deadline(subject: subject, on: db) {
            late = ApprovalDeadline.isLate(submittedOn: clock.today(), deadline: deadline)
        }
        var reason: String?
        if case .sendBack(let text) = event { reason = String(TeacherRowValidator.clean(text).prefix(200)) }
        try await write(next, region: region, subject: subject, level: unit.level, late: event == .submit ? late : nil, reason: reason, on: db)
        var returned: [String] = []
        if case .sendBack = event, !alsoReturn.isEmpty, let below = hooks.chain.child(of: unit.level) {
            let children = Set(try await hooks.children(of: region, subject: subject, on: db))
            for code in alsoReturn where children.contains(code) {
                try await write(.returned, region: regions.region(code: code)!, subject: subject, level: below, late: nil, reason: reason, on: db)
                returned.append(code)
            }
        }
        var changes: [String: AuditLog.Change] = ["state": .init(before: unit.state.rawValue, after: next.rawValue)]
        if let reason { changes["reason"] = .init(before: nil, after: reason) }
        if !returned.isEmpty { changes["counties"] = .init(before: nil, after: returned.joined(separator: ",")) }
        var summary: String
        let own = user.regionCode == region.code
        switch event {
        case .submit: summary = "提交\(own ? "本\(unit.level == .county ? "县" : "市(州)")" : region.name)\(hooks.reportName)" + (late ? "（逾期）" : "")
        case .sendBack: summary = "退回\(region.name)的\(hooks.reportName)：\(reason ?? "")"
        case .approve:
            let effect = try await hooks.didApprove(region, subject: subject, on: db)
            changes.merge(effect.changes) { _, new in new }
            summary = "审核认定\(region.name)的\(hooks.reportName)" + effect.summary
        case .reopen:
            let effect = try await hooks.didReopen(region, subject: subject, on: db)
            changes.merge(effect.changes) { _, new in new }
            summary = "重新打开\(region.name)已审核的\(hooks.reportName)" + effect.summary
        }
        let action: AuditLog.Action = switch event {
        case .submit: .submit
        case .sendBack: .reject
        case .approve: .approve
        case .reopen: .cancel
        }
        try await AuditLog.record(on: db, actor: actor, action: action, objectType: hooks.auditObjectType, objectID: String(subject),
                                  countyCode: region.level == .county ? region.code : nil,
                                  cityCode: region.level == .county ? region.parentCode : region.level == .city ? region.code : nil,
                                  changes: changes, summary: summary)
        return unit.state
    }

    private func write(_ state: ApprovalState, region: Region, subject: Int, level: ApprovalLevel, late: Bool?, reason: String?,
                       on db: any Database) async throws {
        let row = try await row(subject: subject, region: region.code, on: db) ?? SubmissionModel()
        row.workflow = hooks.workflow.rawValue
        row.subjectID = subject
        row.regionCode = region.code
        row.level = level.rawValue
        row.storedState = state.rawValue
        if let late {
            row.submittedAt = clock.now()
            row.late = late
        } else if row.id == nil {
            row.late = false
        }
        row.returnedReason = reason
        row.updatedBy = user.username
        row.updatedAt = clock.now()
        try await row.save(on: db)
    }

    /// The deadline moved: every submission made is judged late or on time again. Returns how
    /// many flags changed.
    func rejudgeLateness(subject: Int, deadline: CivilDate, on db: any Database) async throws -> Int {
        var changed = 0
        for submission in try await SubmissionModel.query(on: db).filter(\.$workflow == hooks.workflow.rawValue)
            .filter(\.$subjectID == subject).filter(\.$submittedAt != nil).all() {
            let late = ApprovalDeadline.isLate(submittedOn: .today(now: submission.submittedAt!), deadline: deadline)
            guard late != submission.late else { continue }
            submission.late = late
            try await submission.update(on: db)
            changed += 1
        }
        return changed
    }
}
