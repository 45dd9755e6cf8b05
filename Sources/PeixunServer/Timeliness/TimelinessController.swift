import Fluent
import Foundation
import PeixunCore
import Vapor

/// 报送及时率: per task and year, each unit on time, late or missing; the province sets the
/// deadlines and sends reminders (a city may remind its counties).
struct TimelinessController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.timeliness(.page()), use: page)
        routes.get(.timeliness(.api()), use: api)
        routes.get(.timeliness(.apiOverdue()), use: overdueAPI)
        routes.post(.timeliness(.deadline)) { try await self.setDeadline(request: $0, api: false) }
        routes.post(.timeliness(.apiDeadline)) { try await self.setDeadline(request: $0, api: true) }
        routes.post(.timeliness(.remind)) { try await self.remind(request: $0, api: false) }
        routes.post(.timeliness(.apiRemind)) { try await self.remind(request: $0, api: true) }
    }

    struct Query: Content {
        var task: String?
        var year: Int?
        var region: String?
    }

    private struct Context {
        let user: CurrentUser
        let regions: RegionDirectory
        let service: TimelinessService

        init(_ request: Request) throws {
            user = try request.requireUser()
            guard [.province, .city, .county].contains(user.role) else { throw AppError.notFound() }
            regions = request.application.regions
            service = TimelinessService(database: request.db, regions: regions)
        }

        func region(_ code: String?) throws -> Region {
            try user.visibleRegion(code, in: regions)
        }
    }

    static func task(_ key: String?, required: Bool) throws -> ReportingTask {
        if key == nil || key == "", !required { return ReportingTask.named("contacts")! }
        guard let task = ReportingTask.named(key) else {
            throw AppError(.unprocessableEntity, code: "task.unknown",
                           "报送任务无效：\(key ?? "")（可选 \(ReportingTask.all.map(\.key).joined(separator: "、"))）")
        }
        return task
    }

    @Sendable func api(request: Request) async throws -> TimelinessService.Report {
        let context = try Context(request)
        let query = try request.query.decode(Query.self)
        let task = try Self.task(query.task, required: true)
        return try await context.service.report(task, year: try ContactsDesk.year(query.year), region: try context.region(query.region))
    }

    struct Overdue: Content {
        let task: String
        let taskName: String
        let deadline: String
        let code: String
        let name: String
    }

    /// Units (one level below the viewer) still missing a task whose deadline has passed.
    /// The 待办 page lists the same units.
    static func overdue(_ service: TimelinessService, year: Int, region: Region, today: CivilDate) async throws -> [Overdue] {
        try await service.overdue(year: year, region: region, today: today)
    }

    @Sendable func overdueAPI(request: Request) async throws -> [Overdue] {
        let context = try Context(request)
        let query = try request.query.decode(Query.self)
        return try await Self.overdue(context.service, year: try ContactsDesk.year(query.year), region: try context.region(query.region), today: request.clock.today())
    }

    struct TaskOption: Encodable, Sendable {
        let key: String
        let name: String
        let selected: Bool
        let onEngine: Bool
    }

    struct UnitRow: Encodable, Sendable {
        let code: String
        let name: String
        let status: String
        let statusLabel: String
        let mayRemind: Bool
        let url: String?
    }

    struct Page: Encodable, Sendable {
        let pageTitle: String
        let task: String
        let taskName: String
        let onEngine: Bool
        let year: Int
        let region: String
        let regionName: String
        let report: TimelinessService.Report
        let rows: [UnitRow]
        let hasRows: Bool
        let tasks: [TaskOption]
        let overdue: [Overdue]
        let hasOverdue: Bool
        let reminders: [ContactsDesk.ReminderDTO]
        let hasReminders: Bool
        let mayChangeDeadline: Bool
        let formURL: String
        let deadlineURL: String
        let remindURL: String
        /// The year picker's choices (`ReportingYears`).
        let years: [Int]
    }

    @Sendable func page(request: Request) async throws -> View {
        let context = try Context(request)
        let query = try request.query.decode(Query.self)
        let task = try Self.task(query.task, required: false)
        let year = try ContactsDesk.year(query.year)
        let region = try context.region(query.region)
        let report = try await context.service.report(task, year: year, region: region)
        let mayRemind = context.user.role == .province || (context.user.role == .city && region.level == .city)
        let rows = report.units.map { unit in
            let status = ReportingStatus(rawValue: unit.status) ?? .missing
            return UnitRow(code: unit.code, name: unit.name, status: unit.status, statusLabel: status.label,
                           mayRemind: mayRemind && status == .missing && unit.code != context.user.regionCode,
                           url: region.level == .province ? SiteURL.timeliness(.page(task: task.key, year: year, region: unit.code)).path : nil)
        }
        let own = context.user.regionCode.flatMap { context.regions.region(code: $0) }
        let reminders = own.map { $0.level == .province } == false ? try await context.service.openReminders(for: own!) : []
        let overdue = try await Self.overdue(context.service, year: year, region: region, today: request.clock.today())
        return try await request.renderPage("timeliness", Page(
            pageTitle: "报送及时率 · \(task.name) · \(year)年", task: task.key, taskName: task.name, onEngine: task.onEngine, year: year,
            region: region.code, regionName: context.regions.qualifiedName(of: region), report: report, rows: rows, hasRows: !rows.isEmpty,
            tasks: ReportingTask.all.map { TaskOption(key: $0.key, name: $0.name, selected: $0.key == task.key, onEngine: $0.onEngine) },
            overdue: overdue, hasOverdue: !overdue.isEmpty,
            reminders: reminders.map(ContactsDesk.ReminderDTO.init),
            hasReminders: !reminders.isEmpty, mayChangeDeadline: context.user.isTopOffice,
            formURL: SiteURL.timeliness(.page()).path, deadlineURL: SiteURL.timeliness(.deadline).path, remindURL: SiteURL.timeliness(.remind).path,
            years: try await ReportingYears.choices(on: request.sql, showing: year)))
    }

    struct DeadlineForm: Content {
        var task: String?
        var year: LenientYear?
        var deadline: String?
    }

    private func setDeadline(request: Request, api: Bool) async throws -> Response {
        let context = try Context(request)
        try context.user.requireTopOffice(code: "timeliness.not_province", "修改报送截止日期")
        let form = try request.content.decode(DeadlineForm.self)
        let task = try Self.task(form.task, required: true)
        let year = try ContactsDesk.year(form.year?.value)
        guard let day = form.deadline.flatMap({ CivilDate(iso: TextCleaning.clean($0)) }) else {
            throw InputRefusal(field: "截止日期", code: "deadline.invalid", "截止日期格式不正确：\(form.deadline ?? "")（应如 2017-03-31）")
        }
        let before = try await TaskDeadlines(database: request.db).deadline(task, year: year)
        let changed = try await request.db.transaction { db in
            let changed = try await TaskDeadlines(database: db).set(task, year: year, to: day, by: context.user.username, at: request.clock.now())
            try await AuditLog.record(on: db, actor: .init(request), action: .update, objectType: "task_deadline", objectID: "\(task.key)/\(year)",
                                      changes: ["deadline": .init(before: before.description, after: day.description)],
                                      summary: "修改\(year)年“\(task.name)”截止日期为 \(day)" + (changed > 0 ? "，\(changed) 份已报送的重新判定逾期" : ""))
            return changed
        }
        if api {
            struct Result: Content { let task: String; let year: Int; let deadline: String; let rejudged: Int }
            return try await Result(task: task.key, year: year, deadline: day.description, rejudged: changed).encodeResponse(for: request)
        }
        return request.redirect(to: SiteURL.timeliness(.page(task: task.key, year: year)).path, redirectType: .normal)
    }

    struct RemindForm: Content {
        var task: String?
        var year: LenientYear?
        var region: String?
        var message: String?
    }

    private func remind(request: Request, api: Bool) async throws -> Response {
        let context = try Context(request)
        let form = try request.content.decode(RemindForm.self)
        let task = try Self.task(form.task, required: true)
        let year = try ContactsDesk.year(form.year?.value)
        let unit = try context.region(form.region ?? "")
        guard context.user.role == .province || (context.user.role == .city && unit.level == .county), unit.level != .province else {
            throw AppError(.forbidden, code: "timeliness.remind_forbidden", "只有省执行办（或市(州)对本市县(市、区)）可以催报")
        }
        let deadline = try await TaskDeadlines(database: request.db).deadline(task, year: year)
        let text = TextCleaning.clean(form.message ?? "")
        let message = text.isEmpty ? "请于 \(deadline) 前报送\(year)年\(task.name)。" : String(text.prefix(200))
        let reminder = ReminderModel()
        reminder.task = task.key
        reminder.year = year
        reminder.regionCode = unit.code
        reminder.message = message
        reminder.sentBy = context.user.username
        reminder.sentAt = request.clock.now()
        try await request.db.transaction { db in
            try await reminder.create(on: db)
            try await AuditLog.record(on: db, actor: .init(request), action: .create, objectType: "reminder", objectID: String(reminder.id ?? 0),
                                      countyCode: unit.level == .county ? unit.code : nil,
                                      cityCode: unit.level == .county ? unit.parentCode : unit.code,
                                      summary: "催报\(unit.name)\(year)年\(task.name)：\(message)")
        }
        if api {
            return try await ContactsDesk.ReminderDTO(task: task.key, taskName: task.name, year: year, message: message, sentAt: reminder.sentAt)
                .encodeResponse(status: .created, for: request)
        }
        return request.redirect(to: SiteURL.timeliness(.page(task: task.key, year: year, region: unit.parentCode == context.regions.province.code ? nil : unit.parentCode)).path,
                                redirectType: .normal)
    }
}
