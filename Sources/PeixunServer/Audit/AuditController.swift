import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

/// 审计日志: browse and filter; the province sees everything, a city or county its subtree.
/// There is no route that edits or deletes an entry.
struct AuditController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.audit(.page), use: page)
        routes.get(.audit(.api), use: api)
        routes.get(.audit(.export), use: export)
    }

    struct Filter: Content {
        var action: String?
        var username: String?
        var from: String?
        var to: String?
        var page: Int?
    }

    struct EntryDTO: Content {
        let id: Int
        let occurredAt: Date
        let time: String
        let username: String
        let address: String
        let action: String
        let actionLabel: String
        let objectType: String
        /// The object in words: "整合名单条目 12", "用户 3".
        let objectLabel: String
        let objectID: String?
        let summary: String
        let changes: String
    }

    struct ListDTO: Content {
        let total: Int
        let page: Int
        let pageSize: Int
        let entries: [EntryDTO]
    }

    static let pageSize = 50

    /// The entries the user may see, narrowed by the page's filters: the page, the API and the
    /// export all read through here, so an export holds exactly what the page shows.
    func filteredQuery(_ request: Request) throws -> (QueryBuilder<AuditEntryModel>, Filter) {
        let user = try request.requireUser()
        guard [.province, .city, .county].contains(user.role) else { throw AppError.notFound() }
        let filter = try request.query.decode(Filter.self)
        var query = AuditEntryModel.query(on: request.db)
        switch user.scope {
        case .all: break
        case .city(let code): query = query.filter(\.$cityCode == code)
        case .county(let code): query = query.filter(\.$countyCode == code)
        case .province(let code):
            let codes = RegionScope.provinceCityCodes(code)
            query = query.filter(\.$cityCode >= codes.lowerBound).filter(\.$cityCode <= codes.upperBound)
        case .none, .teacher: throw AppError.notFound()
        }
        if let action = filter.action?.nilIfEmpty {
            guard let known = AuditLog.Action(rawValue: action) else { throw AppError.badRequest(code: "audit.action", "操作类型无效（\(action.prefix(20))）") }
            // A county's 核实 was logged as `approve` before it had its own action: those entries
            // are found under 核实, and 审核通过 lists only the approvals.
            let verified = Self.legacyVerification
            switch known {
            case .verify:
                query = query.group(.or) { or in
                    or.filter(\.$action == action).group(.and) {
                        $0.filter(\.$action == verified.action.rawValue).filter(\.$objectType == verified.objectType)
                    }
                }
            case verified.action: query = query.filter(\.$action == action).filter(\.$objectType != verified.objectType)
            default: query = query.filter(\.$action == action)
            }
        }
        if let username = filter.username?.trimmingCharacters(in: .whitespaces).nilIfEmpty {
            query = query.filter(\.$username == ((try? ResidentID.parse(username, today: request.clock.today()))?.id.value ?? username))
        }
        if let from = filter.from?.nilIfEmpty {
            guard let date = Self.day(from) else { throw AppError.badRequest(code: "audit.from", "起始日期格式应为 2017-03-15") }
            query = query.filter(\.$occurredAt >= date)
        }
        if let to = filter.to?.nilIfEmpty {
            guard let date = Self.day(to) else { throw AppError.badRequest(code: "audit.to", "截止日期格式应为 2017-03-31") }
            query = query.filter(\.$occurredAt < date.addingTimeInterval(86_400))
        }
        return (query, filter)
    }

    private func load(_ request: Request) async throws -> (ListDTO, Filter) {
        let (query, filter) = try filteredQuery(request)
        let total = try await query.copy().count()
        let paging = Paging(page: filter.page, size: Self.pageSize)
        let entries = try await query.sort(\.$id, .descending).range(paging.offset..<(paging.offset + paging.size)).all()
        let formatter = Self.timeFormatter()
        return (ListDTO(total: total, page: paging.page, pageSize: Self.pageSize, entries: entries.map { Self.dto($0, formatter) }), filter)
    }

    static func timeFormatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.timeZone = CivilDate.chinaTimeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter
    }

    /// An entry as the page shows it: IDs masked, the action and object in words.
    static func dto(_ entry: AuditEntryModel, _ formatter: DateFormatter) -> EntryDTO {
        EntryDTO(id: entry.id!, occurredAt: entry.occurredAt, time: formatter.string(from: entry.occurredAt),
                 username: IDMasking.maskIDs(in: entry.username), address: entry.address, action: entry.action,
                 actionLabel: actionLabel(entry.action, objectType: entry.objectType),
                 objectType: entry.objectType, objectLabel: objectLabel(entry.objectType, id: entry.objectID),
                 objectID: entry.objectID, summary: IDMasking.maskIDs(in: entry.summary),
                 changes: entry.changes == "{}" ? "" : IDMasking.maskIDs(in: entry.changes))
    }

    /// How the county's 核实 was logged before `verify` existed.
    static let legacyVerification = (action: AuditLog.Action.approve, objectType: "integration_entry")

    static func actionLabel(_ action: String, objectType: String) -> String {
        if action == legacyVerification.action.rawValue && objectType == legacyVerification.objectType { return AuditLog.Action.verify.label }
        // A county turning down one entry is not sending anything back.
        if action == AuditLog.Action.reject.rawValue && objectType == legacyVerification.objectType { return "不予认定" }
        return AuditLog.Action(rawValue: action)?.label ?? action
    }

    /// The kinds of object the log names, in words; an unknown kind shows as stored.
    static let objectTypeLabels: [String: String] = [
        "api_token": "访问令牌", "certificate": "结业证书", "demo_province": "演示数据",
        "integration_batch": "整合批次", "integration_entry": "整合名单条目", "integration_feedback": "反馈表",
        "official_counts": "专任教师数", "progress_report": "统计表", "project": "合作项目",
        "qualified_list": "合格人员名单", "resident_id": "身份证号码", "teacher": "教师",
        "teacher_list": "教师名册", "teacher_roster": "教师名册导入", "teacher_transfer": "教师调动",
        "untrained_list": "未培训教师名单", "user": "用户",
        "reissue_request": "证书补发申请", "reissue_round": "证书补发批次", "plan": "培训计划", "contact": "项目联系人",
        "contacts": "项目联系人报送", "reminder": "催报提醒", "task_deadline": "报送截止日期",
    ]

    static func objectLabel(_ type: String, id: String?) -> String {
        let name = objectTypeLabels[type] ?? type
        guard var id, !id.isEmpty else { return name }
        // A file's SHA-256 (imports) is shortened; the full value stays in the API.
        if id.count > 16, id.allSatisfy(\.isHexDigit) { id = String(id.prefix(12)) + "…" }
        return name + " " + IDMasking.maskIDs(in: id)
    }

    static func day(_ text: String) -> Date? {
        guard let date = CivilDate(iso: text) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = CivilDate.chinaTimeZone
        return calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day))
    }

    struct Page: Encodable, Sendable {
        struct Option: Encodable, Sendable { let value: String; let label: String; let selected: Bool }
        let pageTitle = "审计日志"
        let formURL = SiteURL.audit(.page).path
        let list: ListDTO
        let actions: [Option]
        let username: String
        let from: String
        let to: String
        let previousURL: String?
        let nextURL: String?
        let pageCount: Int
        let hasEntries: Bool
        let xlsxURL: String
        let csvURL: String
        let exportLimit = AuditController.exportLimit
        /// The filters match more than an export holds.
        let exportTruncated: Bool
    }

    @Sendable func page(request: Request) async throws -> View {
        let (list, filter) = try await load(request)
        let actions = AuditLog.Action.allCases.map { Page.Option(value: $0.rawValue, label: $0.label, selected: $0.rawValue == filter.action) }
        let pageCount = Paging(page: list.page, size: Self.pageSize).pageCount(total: list.total)
        func filters() -> [URLQueryItem] {
            var items: [URLQueryItem] = []
            if let action = filter.action?.nilIfEmpty { items.append(.init(name: "action", value: action)) }
            if let username = filter.username?.nilIfEmpty { items.append(.init(name: "username", value: username)) }
            if let from = filter.from?.nilIfEmpty { items.append(.init(name: "from", value: from)) }
            if let to = filter.to?.nilIfEmpty { items.append(.init(name: "to", value: to)) }
            return items
        }
        func link(_ page: Int) -> String { SiteURL.audit(.page).path(adding: [URLQueryItem(name: "page", value: String(page))] + filters()) }
        func export(_ format: TableDownload.Format) -> String {
            SiteURL.audit(.export).path(adding: [URLQueryItem(name: "format", value: format.rawValue)] + filters())
        }
        return try await request.renderPage("audit", Page(
            list: list, actions: actions, username: filter.username ?? "", from: filter.from ?? "", to: filter.to ?? "",
            previousURL: list.page > 1 ? link(list.page - 1) : nil,
            nextURL: list.page < pageCount ? link(list.page + 1) : nil, pageCount: pageCount, hasEntries: !list.entries.isEmpty,
            xlsxURL: export(.xlsx), csvURL: export(.csv), exportTruncated: list.total > Self.exportLimit))
    }

    @Sendable func api(request: Request) async throws -> ListDTO {
        try await load(request).0
    }
}
