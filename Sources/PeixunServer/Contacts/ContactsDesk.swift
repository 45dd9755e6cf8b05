import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import Vapor

/// What a province, city or county does with Appendix 4: read its own contact and those below,
/// save its own, and move the year's report through the approval engine.
struct ContactsDesk {
    let database: any Database
    let regions: RegionDirectory
    let user: CurrentUser
    let actor: AuditLog.Actor
    let clock: any AppClock

    init(request: Request) throws {
        let user = try request.requireUser()
        guard [.province, .city, .county].contains(user.role) else { throw AppError.notFound() }
        database = request.db
        regions = request.application.regions
        self.user = user
        actor = AuditLog.Actor(request)
        clock = request.clock
    }

    var approvals: ApprovalService {
        ApprovalService(hooks: ContactsApproval(regions: regions), regions: regions, user: user, actor: actor, clock: clock)
    }

    struct UnitDTO: Content {
        let code: String
        let name: String
        /// `city` or `county`.
        let level: String
        let contact: ContactDetails?
        let state: String
        let stateLabel: String
        let late: Bool
        let submittedAt: Date?
        let returnedReason: String?
        let actions: ApprovalActions
    }

    struct ReminderDTO: Content {
        let task: String
        let taskName: String
        let year: Int
        let message: String
        let sentAt: Date

        init(task: String, taskName: String, year: Int, message: String, sentAt: Date) {
            self.task = task
            self.taskName = taskName
            self.year = year
            self.message = message
            self.sentAt = sentAt
        }

        init(_ reminder: ReminderModel) {
            self.init(task: reminder.task, taskName: ReportingTask.named(reminder.task)?.name ?? reminder.task, year: reminder.year,
                      message: reminder.message, sentAt: reminder.sentAt)
        }
    }

    struct ViewDTO: Content {
        let year: Int
        let deadline: String
        let region: RegionRef
        /// The viewer's region as a unit (nil for the province, which approves and has no contact here).
        let unit: UnitDTO?
        /// The units below: a city's counties, the province's cities.
        let units: [UnitDTO]
        /// Reminders from above still waiting for this unit's contacts.
        let reminders: [ReminderDTO]
    }

    struct RegionRef: Content {
        let code: String
        let name: String
    }

    static func year(_ value: Int?) throws -> Int {
        let year = value ?? ReportingTask.defaultYear
        guard ReportingTask.years.contains(year) else {
            throw AppError(.unprocessableEntity, code: "year.invalid", "年度无效：\(year)（应在 \(ReportingTask.years.lowerBound)–\(ReportingTask.years.upperBound) 之间）")
        }
        return year
    }

    /// A region the user may see; out of scope is "not found", like everything else.
    func region(_ code: String?) throws -> Region {
        try user.visibleRegion(code, in: regions)
    }

    func view(year: Int, region code: String?) async throws -> ViewDTO {
        let region = try region(code)
        let children = region.level == .county ? [] : regions.children(of: region.code)
        let codes = children.map(\.code) + (region.level == .province ? [] : [region.code])
        var contacts: [String: ContactModel] = [:]
        var submissions: [String: SubmissionModel] = [:]
        for chunk in codes.chunked(into: 1000) {
            for row in try await ContactModel.query(on: database).filter(\.$year == year).filter(\.$regionCode ~~ chunk).all() { contacts[row.regionCode] = row }
            for row in try await SubmissionModel.query(on: database).filter(\.$workflow == ApprovalWorkflowKind.contacts.rawValue)
                .filter(\.$subjectID == year).filter(\.$regionCode ~~ chunk).all() { submissions[row.regionCode] = row }
        }
        func unit(_ region: Region) async throws -> UnitDTO {
            let submission = submissions[region.code]
            let state = try submission?.state() ?? .open
            return UnitDTO(code: region.code, name: region.name, level: region.level.rawValue, contact: contacts[region.code]?.details,
                           state: state.rawValue, stateLabel: state.label, late: submission?.late ?? false,
                           submittedAt: submission?.submittedAt, returnedReason: state == .returned ? submission?.returnedReason : nil,
                           actions: try await approvals.actions(region, subject: year, on: database))
        }
        var units: [UnitDTO] = []
        for child in children { units.append(try await unit(child)) }
        let task = ContactsApproval.task
        let reminders = region.level == .province || region.code != user.regionCode ? []
            : try await TimelinessService(database: database, regions: regions).openReminders(for: region)
        return ViewDTO(year: year, deadline: try await TaskDeadlines(database: database).deadline(task, year: year).description,
                       region: RegionRef(code: region.code, name: regions.qualifiedName(of: region)),
                       unit: region.level == .province ? nil : try await unit(region), units: units,
                       reminders: reminders.map(ReminderDTO.init))
    }

    /// Saves the viewer's own contact for the year while it may still be edited.
    func save(year: Int, _ input: ContactInput) async throws -> ContactDetails {
        guard [.city, .county].contains(user.role), let code = user.regionCode, let region = regions.region(code: code) else {
            throw AppError(.forbidden, code: "contacts.not_unit", "只有市(州)和县(市、区)填写本级项目联系人")
        }
        let details: ContactDetails
        switch ContactValidator.validate(input) {
        case .success(let valid): details = valid
        case .failure(let refusal): throw refusal
        }
        try await database.transaction { db in
            guard try await approvals.actions(region, subject: year, on: db).mayEdit else {
                throw AppError(.conflict, code: "contacts.locked", "\(year)年联系人信息已提交，不能修改；如需修改，请上级退回后再改")
            }
            let existing = try await ContactModel.query(on: db).filter(\.$year == year).filter(\.$regionCode == code).first()
            let row = existing ?? ContactModel()
            let before = existing?.details
            row.year = year
            row.regionCode = code
            row.set(details)
            row.updatedBy = user.username
            row.updatedAt = clock.now()
            try await row.save(on: db)
            var changes: [String: AuditLog.Change] = [:]
            let fields: [(String, KeyPath<ContactDetails, String>)] = [("department", \.department), ("person", \.person), ("title", \.title),
                                                                        ("officePhone", \.officePhone), ("mobile", \.mobile), ("email", \.email)]
            for (name, path) in fields where before?[keyPath: path] != details[keyPath: path] {
                changes[name] = .init(before: before?[keyPath: path], after: details[keyPath: path])
            }
            try await AuditLog.record(on: db, actor: actor, action: existing == nil ? .create : .update, objectType: "contact", objectID: "\(year)/\(code)",
                                      countyCode: region.level == .county ? code : nil,
                                      cityCode: region.level == .county ? region.parentCode : code,
                                      changes: changes, summary: "\(existing == nil ? "填写" : "修改")\(region.name)\(year)年项目联系人：\(details.person)")
        }
        return details
    }

    /// Submit (own unit), send back (a unit below, with a reason), approve or reopen (a city, province).
    func decide(_ decision: SiteURL.Contacts.Decision, year: Int, region code: String?, reason: String?) async throws {
        try await approvals.step(decision.kind, subject: year, region: code, reason: reason, report: "联系人信息", codePrefix: "contacts", on: database)
    }

    struct MissingDTO: Content {
        let code: String
        let name: String
        let city: String?
        let level: String
        /// `none` (未填写), `draft` (已填写未提交), `returned` (已退回).
        let status: String
        let statusLabel: String
    }

    /// Cities and counties (a city: its counties) without a submitted contact for the year.
    func missing(year: Int) async throws -> [MissingDTO] {
        guard user.role != .county, let root = user.scope.root(in: regions), let top = regions.region(code: root) else {
            throw AppError.notFound()
        }
        let units: [Region] = top.level == .province
            ? regions.children(of: top.code).flatMap { [$0] + regions.children(of: $0.code) }
            : regions.children(of: top.code)
        var filled = Set<String>()
        var states: [String: ApprovalState] = [:]
        for chunk in units.map(\.code).chunked(into: 1000) {
            for row in try await ContactModel.query(on: database).filter(\.$year == year).filter(\.$regionCode ~~ chunk).all() { filled.insert(row.regionCode) }
            for row in try await SubmissionModel.query(on: database).filter(\.$workflow == ApprovalWorkflowKind.contacts.rawValue)
                .filter(\.$subjectID == year).filter(\.$regionCode ~~ chunk).all() { states[row.regionCode] = try row.state() }
        }
        return units.compactMap { unit in
            let state = states[unit.code] ?? .open
            guard state == .open || state == .returned else { return nil }
            let status = !filled.contains(unit.code) ? ("none", "未填写") : state == .returned ? ("returned", "已退回") : ("draft", "已填写未提交")
            return MissingDTO(code: unit.code, name: unit.name, city: unit.level == .county ? regions.parent(of: unit)?.name : nil,
                              level: unit.level.rawValue, status: status.0, statusLabel: status.1)
        }
    }

    /// Appendix 4 rows: a city, then its counties; for the province every city in turn.
    func exportRows(year: Int, region code: String?) async throws -> (title: String, rows: [ContactsWorkbook.Row]) {
        let region = try region(code)
        return (regions.qualifiedName(of: region), try await Self.exportRows(year: year, region: region, regions: regions, on: database))
    }

    static func exportRows(year: Int, region: Region, regions: RegionDirectory, on database: any Database) async throws -> [ContactsWorkbook.Row] {
        let cities: [Region] = switch region.level {
        case .province: regions.children(of: region.code)
        case .city: [region]
        case .county: []
        }
        let units: [Region] = region.level == .county ? [region] : cities.flatMap { [$0] + regions.children(of: $0.code) }
        var contacts: [String: ContactDetails] = [:]
        for chunk in units.map(\.code).chunked(into: 1000) {
            for row in try await ContactModel.query(on: database).filter(\.$year == year).filter(\.$regionCode ~~ chunk).all() {
                contacts[row.regionCode] = row.details
            }
        }
        return units.map { unit in
            let city = unit.level == .city ? unit.name : regions.parent(of: unit)?.name ?? ""
            return ContactsWorkbook.Row(city: city, county: unit.level == .county ? unit.name : "（市州本级）", contact: contacts[unit.code])
        }
    }
}
