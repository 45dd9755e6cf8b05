import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

/// One reissue request as a page or the API shows it, with what the viewer may do with it.
struct ReissueRequestDTO: Content {
    let id: Int
    let roundID: Int
    let certificateNumber: String
    let teacherName: String
    let maskedResidentID: String
    let school: String
    let county: String
    let countyName: String
    let kind: String
    let kindLabel: String
    let correctedName: String?
    let reason: String
    let status: String
    let statusLabel: String
    let statement: String?
    let statementBy: String?
    /// The scan of the stamped statement, when one is attached.
    let statementFile: StatementFileDTO?
    let returnedReason: String?
    /// `teacher` or `county`.
    let requestedBy: String
    let requestedOn: String
    /// An institution account runs one of the teacher's projects: it writes the statement.
    let institutionLinked: Bool
    let newCertificateNumber: String?
    /// Write the statement (waiting for it) or change it (the county has not checked it yet).
    let mayState: Bool
    let mayAccept: Bool
    let mayReturn: Bool
}

/// 证书补发 for everyone who takes part: the teacher or its county asks, the institution (or,
/// when none is linked, the county) confirms, the county checks, and the round climbs the
/// approval engine (`ReissueApproval`). Every query goes through the user's scope; an
/// institution sees the requests of teachers with a record in one of its projects.
struct ReissueDesk {
    let database: any Database
    let regions: RegionDirectory
    let user: CurrentUser
    let actor: AuditLog.Actor
    let hooks: ReissueApproval

    init(request: Request) throws {
        database = request.db
        regions = request.application.regions
        user = try request.requireUser()
        actor = AuditLog.Actor(request)
        let issuance = CertificateIssuance(application: request.application, actor: actor)
        let cache = request.application.verificationCache
        hooks = ReissueApproval(regions: regions, actor: actor, verificationURL: issuance.verificationURL,
                                certificatesChanged: { cache.invalidate() })
    }

    var approvals: ApprovalService {
        ApprovalService(hooks: hooks, regions: regions, user: user, actor: actor, clock: actor.clock)
    }

    // MARK: Requests

    struct NewRequest: Content {
        var number: String?
        var kind: String?
        var correctedName: String?
        var reason: String?
    }

    /// A request by the teacher for its own valid certificate, or by the certificate's county.
    func create(_ input: NewRequest) async throws -> ReissueRequestModel {
        guard [.teacher, .county].contains(user.role) else {
            if [.city, .province].contains(user.role) {
                throw AppError(.forbidden, code: "reissue.requester", "补发申请由教师本人或所在县(市、区)教育局提出")
            }
            throw AppError.notFound()
        }
        guard let number = CertificateNumber(parsing: input.number ?? ""),
              let certificate = try await CertificateRegister(database: database).find(number: number, scope: user.scope) else {
            throw AppError.notFound("证书")
        }
        guard try certificate.status() == .valid else {
            throw AppError(.conflict, code: "certificate.not_valid", "证书 \(number) 当前状态为“\(try certificate.status().label)”，不能申请补发")
        }
        guard let kind = ReissueKind(rawValue: input.kind ?? "") else {
            throw InputRefusal(field: "申请类型", code: "reissue.kind", "请选择申请类型：遗失、损毁或信息更正")
        }
        let correctedName = kind == .correction ? try Self.corrected(input.correctedName, from: try certificate.snapshot().teacherName) : nil
        let reason = TextCleaning.clean(input.reason ?? "")
        guard (2...200).contains(reason.count) else {
            throw InputRefusal(field: "申请原因", code: "reissue.reason", "请填写申请原因（2–200 个字）")
        }
        return try await database.transaction { db in
            let open = try await ReissueRequestModel.query(on: db).filter(\.$certificateID == certificate.id!)
                .filter(\.$storedStatus ~~ ReissueStatus.open.map(\.rawValue)).count()
            guard open == 0 else {
                throw AppError(.conflict, code: "reissue.open", "证书 \(number) 已有一份正在办理的补发申请")
            }
            let now = actor.clock.now()
            let request = ReissueRequestModel()
            request.certificateID = certificate.id!
            request.teacherID = certificate.teacherID
            request.countyCode = certificate.countyCode
            request.cityCode = certificate.cityCode
            request.roundID = try await openRound(city: certificate.cityCode, on: db)
            request.storedKind = kind.rawValue
            request.correctedName = correctedName
            request.reason = reason
            request.storedStatus = ReissueStatus.statement.rawValue
            request.requestedBy = actor.username
            request.requestedRole = user.role.rawValue
            request.requestedAt = now
            request.updatedAt = now
            try await request.create(on: db)
            var changes: [String: AuditLog.Change] = ["kind": .init(before: nil, after: kind.rawValue), "reason": .init(before: nil, after: reason)]
            if let correctedName { changes["name"] = .init(before: try certificate.snapshot().teacherName, after: correctedName) }
            try await audit(request, .create, changes: changes, summary: "申请补发证书 \(number)（\(kind.label)）：\(reason)", on: db)
            return request
        }
    }

    /// The corrected name, checked like every name in the registry and different from the old one.
    static func corrected(_ text: String?, from old: String) throws -> String {
        switch PersonName.check(text ?? "") {
        case .failure(let refusal): throw InputRefusal(field: "更正后的姓名", code: refusal.code, refusal.message)
        case .success(let name):
            guard name != old else { throw InputRefusal(field: "更正后的姓名", code: "reissue.same_name", "更正后的姓名与证书上的姓名相同") }
            return name
        }
    }

    /// The city's newest round that the province has not approved, or a new one.
    private func openRound(city: String, on db: any Database) async throws -> Int {
        for round in try await ReissueRoundModel.query(on: db).filter(\.$cityCode == city).sort(\.$id, .descending).range(..<3).all() {
            if try await approvals.state(subject: round.id!, region: city, on: db) != .approved { return round.id! }
        }
        let round = ReissueRoundModel()
        round.cityCode = city
        round.opened = actor.clock.now()
        try await round.create(on: db)
        return round.id!
    }

    /// A request the user may see: its own (teacher), in its subtree (offices), or of a teacher
    /// trained in one of its projects (institution); otherwise not found.
    func find(_ id: Int, on db: any Database) async throws -> ReissueRequestModel {
        var found: ReissueRequestModel?
        switch user.role {
        case .teacher:
            found = try await ReissueRequestModel.query(on: db).filter(\.$id == id).filter(\.$teacherID == (user.teacherID ?? -1)).first()
        case .institution:
            if let request = try await ReissueRequestModel.find(id, on: db), try await isLinked(teacher: request.teacherID, institution: user.id, on: db) {
                found = request
            }
        case .province, .city, .county:
            found = try await ReissueRequestModel.query(on: db).filter(\.$id == id).scoped(to: user.scope).first()
        case .reviewer:
            found = nil
        }
        guard let found else { throw AppError.notFound("补发申请") }
        return found
    }

    func isLinked(teacher: Int, institution: Int? = nil, on db: any Database) async throws -> Bool {
        struct Row: Decodable { let n: Int }
        let sql = db as! any SQLDatabase
        return try await sql.raw("""
            SELECT COUNT(*) AS n FROM teachers t WHERE t.id = \(bind: teacher) AND \(InstitutionProjects.linked(teacherColumn: "t.id", userID: institution))
            """).first(decoding: Row.self)!.n > 0
    }

    /// The county may change its requests while its part of the round is open or sent back.
    func countyMayEdit(_ request: ReissueRequestModel, on db: any Database) async throws -> Bool {
        guard user.role == .county, user.regionCode == request.countyCode, let county = regions.region(code: request.countyCode) else { return false }
        return try await approvals.actions(county, subject: request.roundID, on: db).mayEdit
    }

    func requireCountyEdit(_ request: ReissueRequestModel, on db: any Database) async throws {
        guard user.role == .county else { throw AppError(.forbidden, code: "reissue.county_only", "只有县(市、区)教育局可以审核补发申请") }
        guard try await countyMayEdit(request, on: db) else {
            throw AppError(.conflict, code: "approval.locked", "本县补发申请已提交，不能再修改；如需修改请联系市(州)退回")
        }
    }

    /// The county accepts a confirmed request: it goes up with the county's submission.
    func accept(_ id: Int) async throws -> ReissueRequestModel {
        try await step(id, from: [.check], to: .accepted, verb: "审核通过", action: .approve, summary: "县级审核通过补发申请 #\(id)") { request, db in
            try await requireCountyEdit(request, on: db)
            return StepEffect()
        }
    }

    /// The county sends a request back to whoever made it; the request is closed.
    func returnToRequester(_ id: Int, reason raw: String?) async throws -> ReissueRequestModel {
        let reason = String(TextCleaning.clean(raw ?? "").prefix(200))
        guard !reason.isEmpty else { throw InputRefusal(field: "退回原因", code: "reason.missing", "请填写退回原因") }
        return try await step(id, from: ReissueStatus.open, to: .returned, verb: "退回", action: .reject,
                              summary: "将补发申请 #\(id) 退回申请人：\(reason)", reason: reason) { request, db in
            try await requireCountyEdit(request, on: db)
            request.returnedReason = reason
            return StepEffect()
        }
    }

    /// What a step's `change` adds to its audit entry.
    struct StepEffect: Sendable {
        var changes: [String: AuditLog.Change] = [:]
        /// Replaces the step's summary.
        var summary: String?
    }

    /// One step of a request in its own transaction: found in the user's reach, in one of the
    /// states `from`, allowed and changed by `change`, moved `to`, audited. On PostgreSQL the
    /// request's row is locked first, so that a county's check and a statement's replacement
    /// cannot pass each other.
    func step(_ id: Int, from: [ReissueStatus], to: ReissueStatus, verb: String, action: AuditLog.Action, summary: String,
              reason: String? = nil,
              change: @escaping @Sendable (ReissueRequestModel, any Database) async throws -> StepEffect) async throws -> ReissueRequestModel {
        try await database.transaction { db in
            let sql = db as! any SQLDatabase
            if sql.dialect.name == "postgresql" {
                try await sql.raw("SELECT id FROM reissue_requests WHERE id = \(bind: id) FOR UPDATE").run()
            }
            let request = try await find(id, on: db)
            let status = try request.status()
            let effect = try await change(request, db)
            guard from.contains(status) else {
                throw AppError(.conflict, code: "reissue.state", "该申请当前为“\(status.label)”，不能\(verb)")
            }
            request.storedStatus = to.rawValue
            request.updatedAt = actor.clock.now()
            try await request.save(on: db)
            var changes = effect.changes
            if status != to { changes["status"] = .init(before: status.rawValue, after: to.rawValue) }
            if let reason { changes["reason"] = .init(before: nil, after: reason) }
            try await audit(request, action, changes: changes, summary: effect.summary ?? summary, on: db)
            return request
        }
    }

    func audit(_ request: ReissueRequestModel, _ action: AuditLog.Action, changes: [String: AuditLog.Change], summary: String,
                       on db: any Database) async throws {
        try await AuditLog.record(on: db, actor: actor, action: action, objectType: "reissue_request", objectID: String(request.id!),
                                  countyCode: request.countyCode, cityCode: request.cityCode, changes: changes, summary: summary)
    }

    // MARK: Rounds

    struct Decision: Content {
        var county: String?
        var reason: String?
        var counties: [String]?
    }

    /// A round in the user's subtree (a county or city: of its own city).
    func round(_ id: Int, on db: any Database) async throws -> ReissueRoundModel {
        guard [.province, .city, .county].contains(user.role), let round = try await ReissueRoundModel.find(id, on: db),
              user.scope == .all || user.scope.contains(regionCode: round.cityCode, in: regions)
              || user.role == .county && regions.region(code: user.regionCode ?? "")?.parentCode == round.cityCode else {
            throw AppError.notFound("补发批次")
        }
        return round
    }

    /// Submit (county: its county; city: its city), send back (city: one of its counties;
    /// province: the city, and the counties named), approve or reopen (province). Returns the
    /// region whose desk shows the result.
    func decide(_ decision: SiteURL.Reissue.Decision, round id: Int, _ input: Decision) async throws -> String {
        // Again once the transaction has ended: a verification read between the hook's emptying
        // and the commit would have kept the old status.
        defer { hooks.certificatesChanged() }
        return try await database.transaction { db in
            let round = try await round(id, on: db)
            guard let city = regions.region(code: round.cityCode) else { throw AppError.notFound("市(州)") }
            switch decision {
            case .submit:
                guard [.county, .city].contains(user.role), let own = regions.region(code: user.regionCode ?? "") else {
                    throw AppError(.forbidden, code: "approval.not_your_level", "只有县(市、区)和市(州)提交补发申请")
                }
                if own.level == .county, !(try await hooks.children(of: city, subject: id, on: db).contains(own.code)) {
                    throw AppError(.conflict, code: "approval.empty", "本县在这一轮没有补发申请")
                }
                try await approvals.apply(.submit, to: own, subject: id, on: db)
                return own.code
            case .sendBack:
                let reason = TextCleaning.clean(input.reason ?? "")
                guard !reason.isEmpty else { throw InputRefusal(field: "退回原因", code: "reason.missing", "请填写退回原因") }
                switch user.role {
                case .city:
                    guard let county = regions.region(code: input.county ?? ""), county.parentCode == city.code else {
                        throw AppError.notFound("县(市、区)")
                    }
                    try await approvals.apply(.sendBack(reason: reason), to: county, subject: id, on: db)
                    return city.code
                case .province:
                    // Each county named must take part in this round: a wrong code is said, not skipped.
                    let taking = try await hooks.children(of: city, subject: id, on: db)
                    if let stray = (input.counties ?? []).first(where: { !taking.contains($0) }) {
                        throw InputRefusal(field: "退回的县(市、区)", code: "reissue.county_not_in_round",
                                           "\(regions.region(code: stray)?.name ?? String(stray.prefix(12))) 没有参加\(city.name)这一轮补发，不能一并退回")
                    }
                    try await approvals.apply(.sendBack(reason: reason), to: city, subject: id, alsoReturn: input.counties ?? [], on: db)
                    return city.code
                default:
                    throw AppError(.forbidden, code: "approval.not_your_level", "只有市(州)和省执行办可以退回")
                }
            case .approve, .reopen:
                guard user.role == .province else {
                    throw AppError(.forbidden, code: "approval.not_your_level", "只有省执行办可以审核或重新打开")
                }
                try await approvals.apply(decision == .approve ? .approve : .reopen, to: city, subject: id, on: db)
                return city.code
            }
        }
    }
}
