import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

/// 待办: what waits for a province, city or county user — reports of its own still to submit or
/// sent back, reports from the level below waiting for its review, entries to verify, reminders
/// and overdue units — each with a count, a link and its deadline, overdue first. It reads the
/// same tables and services the workflow pages use (`submissions`, `TimelinessService`).
struct TodoBoard {
    struct Item: Content, Equatable {
        let title: String
        let detail: String?
        let count: Int
        let url: String
        let deadline: String?
        let daysLeft: Int?
        let overdue: Bool
        /// 剩余 3 天, 今天截止, 已逾期 2 天.
        let daysLabel: String?
        /// Work waiting for this user's own action (counted in the menu, `TodoBadge`), rather
        /// than a deadline still ahead or other units' lateness.
        let action: Bool
    }

    struct Board: Content {
        let total: Int
        /// The counts of the action items: what the menu shows beside 待办.
        let waiting: Int
        let items: [Item]

        init(items: [Item]) {
            self.items = items
            total = items.reduce(0) { $0 + $1.count }
            waiting = items.filter(\.action).reduce(0) { $0 + $1.count }
        }
    }

    let database: any Database
    let regions: RegionDirectory
    let user: CurrentUser
    let today: CivilDate
    let now: Date

    /// The sources are independent: they run side by side (each a query or a few), and their
    /// items are appended in the same order as one after the other.
    func board() async throws -> Board {
        async let imports = unfinishedImports()
        async let jobs = failedJobs()
        var items = try await imports + jobs
        if user.role == .institution { items += try await institutionWork() }
        guard [.province, .city, .county].contains(user.role), let code = user.scope.root(in: regions),
              let region = regions.region(code: code) else { return Board(items: items) }
        let year = ReportingTask.defaultYear
        let level = region.level
        async let own = level != .province ? ownReports(region, year: year) : []
        async let reminded = level != .province ? reminders(region) : []
        async let toVerify = level == .county ? entriesToVerify(region) : []
        async let county = level == .county ? countyWork(region) : []
        async let review = level != .county ? waitingForReview(region) : []
        async let overdue = level != .county ? overdueUnits(region, year: year) : []
        async let proposed = user.isTopOffice ? proposedListsToReview() : []
        items += try await own + reminded + toVerify + county + review + overdue + proposed
        items.sort { ($0.overdue ? 0 : 1, $0.daysLeft ?? Int.max) < ($1.overdue ? 0 : 1, $1.daysLeft ?? Int.max) }
        return Board(items: items)
    }

    func item(_ title: String, _ detail: String? = nil, count: Int, url: SiteURL, deadline: CivilDate?, action: Bool = true) -> Item {
        let days = deadline.map { today.days(until: $0) }
        return Item(title: title, detail: detail, count: count, url: url.path, deadline: deadline?.description,
                    daysLeft: days, overdue: (days ?? 0) < 0,
                    daysLabel: days.map { $0 < 0 ? "已逾期 \(-$0) 天" : $0 == 0 ? "今天截止" : "剩余 \($0) 天" }, action: action)
    }

    private func link(_ task: ReportingTask, year: Int) -> SiteURL {
        switch task.key {
        case "plan": .plans(.page(year: year))
        case "completion": .reports(.approval(year: year))
        default: .contacts(.page(year: year))
        }
    }

    /// The region's own yearly reports (plan, contacts) not yet submitted, or sent back with the reason.
    private func ownReports(_ region: Region, year: Int) async throws -> [Item] {
        struct Row: Decodable { let id: Int; let workflow: String; let state: String; let returned_reason: String? }
        let tasks = ReportingTask.all.filter { $0.onEngine && $0.subjects == .year }
        guard !tasks.isEmpty else { return [] }
        async let deadlines = TaskDeadlines(database: database).deadlines(year: year)
        let rows = try await (database as! any SQLDatabase).preparedAll("""
            SELECT id, workflow, state, returned_reason FROM submissions
            WHERE workflow IN (\(SQLList(tasks.map { SQLBind($0.workflow) }))) AND subject_id = \(bind: year) AND region_code = \(bind: region.code)
            """, decoding: Row.self)
        let deadline = try await deadlines
        var items: [Item] = []
        for task in tasks {
            let row = rows.first { $0.workflow == task.workflow }
            switch try row.map({ try ApprovalState.read($0.state, table: SubmissionModel.schema, row: $0.id, column: "state") }) ?? .open {
            case .returned:
                items.append(item("\(year)年\(task.name)：已退回", "退回原因：\(row?.returned_reason ?? "未注明")", count: 1, url: link(task, year: year), deadline: deadline[task.key]))
            case .open:
                items.append(item("\(year)年\(task.name)：未提交", count: 1, url: link(task, year: year), deadline: deadline[task.key], action: false))
            case .submitted, .approved: break
            }
        }
        return items
    }

    /// Reminders from above the region has not yet answered.
    private func reminders(_ region: Region) async throws -> [Item] {
        var items: [Item] = []
        for reminder in try await TimelinessService(database: database, regions: regions).openReminders(for: region) {
            guard let task = ReportingTask.named(reminder.task) else { continue }
            let deadline = try await TaskDeadlines(database: database).deadline(task, year: reminder.year)
            items.append(item("催报：\(reminder.year)年\(task.name)", reminder.message.isEmpty ? nil : reminder.message, count: 1,
                              url: .timeliness(.page(task: task.key, year: reminder.year)), deadline: deadline, action: false))
        }
        return items
    }

    /// A county's pending entries per batch it may still work on (its part open or sent back):
    /// the counts, the batches and the county's part in one statement (were one plus two per batch,
    /// one after the other).
    private func entriesToVerify(_ county: Region) async throws -> [Item] {
        struct Row: Decodable { let batch_id: Int; let n: Int; let year: Int; let deadline: String; let state: String? }
        let rows = try await (database as! any SQLDatabase).preparedAll("""
            SELECT c.batch_id, c.n, b.year, b.deadline, s.state
            FROM (SELECT batch_id, COUNT(*) AS n FROM integration_entries
                  WHERE county_code = \(bind: county.code) AND status = \(bind: EntryStatus.pending.rawValue) GROUP BY batch_id) c
            JOIN integration_batches b ON b.id = c.batch_id
            LEFT JOIN submissions s ON s.workflow = \(bind: ApprovalWorkflowKind.integration.rawValue) AND s.subject_id = c.batch_id
              AND s.region_code = \(bind: county.code)
            ORDER BY c.batch_id
            """, decoding: Row.self)
        var items: [Item] = []
        for row in rows {
            let state = try ApprovalState.read(row.state, workflow: .integration, subject: row.batch_id, region: county.code)
            guard state.isEditable else { continue }
            items.append(item("整合名单待核实（第\(row.batch_id)批，\(row.year)年）", state == .returned ? "已退回，请修改后重新提交" : nil,
                              count: row.n, url: .integration(.county(.value(row.batch_id))), deadline: CivilDate(iso: row.deadline)))
        }
        return items
    }

    /// Reports the units one level below submitted and this level has not yet decided, per
    /// workflow and subject, with a batch's deadline in the same statement and the current
    /// year's deadlines read beside it (each was a round trip after it).
    private func waitingForReview(_ region: Region) async throws -> [Item] {
        let children = regions.children(of: region.code).map(\.code)
        guard !children.isEmpty else { return [] }
        struct Row: Decodable { let workflow: String; let subject_id: Int; let n: Int; let batch_deadline: String? }
        let year = ReportingTask.defaultYear
        async let usual = TaskDeadlines(database: database).deadlines(year: year)
        var counts: [String: [Int: (count: Int, batchDeadline: String?)]] = [:]
        let sql = database as! any SQLDatabase
        for children in sql.predicates("region_code", in: children) {
            for row in try await sql.preparedAll("""
                SELECT s.workflow, s.subject_id, COUNT(*) AS n, MAX(b.deadline) AS batch_deadline FROM submissions s
                LEFT JOIN integration_batches b ON s.workflow = \(bind: ApprovalWorkflowKind.integration.rawValue) AND b.id = s.subject_id
                WHERE \(children) AND s.state = \(bind: ApprovalState.submitted.rawValue)
                GROUP BY s.workflow, s.subject_id
                """, decoding: Row.self) {
                let before = counts[row.workflow]?[row.subject_id]?.count ?? 0
                counts[row.workflow, default: [:]][row.subject_id] = (before + row.n, row.batch_deadline)
            }
        }
        var deadlines: [Int: [String: CivilDate]] = [year: try await usual]
        var items: [Item] = []
        for workflow in ApprovalWorkflowKind.allCases {
            for (subject, waiting) in (counts[workflow.rawValue] ?? [:]).sorted(by: { $0.key < $1.key }) {
                let (count, batchDeadline) = waiting
                let unit = region.level == .province ? "市(州)" : "县(市、区)"
                switch workflow {
                case .integration:
                    items.append(item("待审核：整合名单（第\(subject)批）", "\(count) 个\(unit)已提交", count: count,
                                      url: .integration(.overview(.value(subject))), deadline: batchDeadline.flatMap { CivilDate(iso: $0) }))
                case .plan, .contacts, .completion:
                    let task = ReportingTask.named(workflow.rawValue)!
                    if deadlines[subject] == nil { deadlines[subject] = try await TaskDeadlines(database: database).deadlines(year: subject) }
                    items.append(item("待审核：\(subject)年\(task.name)", "\(count) 个\(unit)已提交", count: count,
                                      url: link(task, year: subject), deadline: deadlines[subject]?[task.key]))
                case .reissue:
                    items.append(item("待审核：证书补发申请", "\(count) 个\(unit)已提交", count: count, url: .reissue(.page()), deadline: nil))
                }
            }
        }
        return items
    }

    /// Units below still missing a task past its deadline (报送及时率).
    private func overdueUnits(_ region: Region, year: Int) async throws -> [Item] {
        let overdue = try await TimelinessService(database: database, regions: regions).overdue(year: year, region: region, today: today)
        var items: [Item] = []
        for task in ReportingTask.all {
            let units = overdue.filter { $0.task == task.key }
            guard let first = units.first else { continue }
            items.append(item("逾期未报：\(year)年\(task.name)", units.prefix(5).map(\.name).joined(separator: "、") + (units.count > 5 ? " 等" : ""),
                              count: units.count, url: .timeliness(.page(task: task.key, year: year)), deadline: CivilDate(iso: first.deadline),
                              action: false))
        }
        return items
    }
}

struct TodoController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.todo(.page), use: page)
        routes.get(.todo(.api), use: api)
    }

    private func board(_ request: Request) async throws -> TodoBoard.Board {
        try await TodoBoard(database: request.db, regions: request.application.regions, user: try request.requireUser(),
                            today: request.clock.today(), now: request.clock.now()).board()
    }

    @Sendable func api(request: Request) async throws -> TodoBoard.Board { try await board(request) }

    struct Page: Encodable, Sendable {
        let pageTitle = "待办事项"
        let jobsURL = SiteURL.jobs(.list()).path
        let board: TodoBoard.Board
        let hasItems: Bool
    }

    @Sendable func page(request: Request) async throws -> View {
        let board = try await board(request)
        return try await request.renderPage("todo", Page(board: board, hasItems: !board.items.isEmpty))
    }
}
