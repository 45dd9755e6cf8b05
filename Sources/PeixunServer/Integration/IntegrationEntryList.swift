import PeixunCore
import SQLKit
import Vapor

/// One county's entries of a batch as its worklist shows them: filtered by status, searched by
/// name or ID (the teacher standing at the counter), in the list's order, a page at a time.
/// Only the columns shown are read, straight from SQL, always under the user's region scope.
struct IntegrationEntryList: Sendable {
    enum Filter: String, Sendable, CaseIterable, Codable {
        case all, pending, verified, rejected, conflict, added

        var label: String {
            switch self {
            case .all: "全部"
            case .pending: "待核实"
            case .verified: "已核实"
            case .rejected: "不予认定"
            case .conflict: "待处理冲突"
            case .added: "新增"
            }
        }

        /// Whether an entry in this state is listed under this filter (the SQL `condition`, in Swift).
        func includes(status: String, added: Bool, conflict: String?) -> Bool {
            switch self {
            case .all: true
            case .pending: status == EntryStatus.pending.rawValue
            case .verified: status == EntryStatus.verified.rawValue
            case .rejected: status == EntryStatus.rejected.rawValue
            case .conflict: status == EntryStatus.pending.rawValue && conflict != nil
            case .added: added
            }
        }

        var condition: SQLQueryString {
            switch self {
            case .all: "1 = 1"
            case .pending: "e.status = \(literal: EntryStatus.pending.rawValue)"
            case .verified: "e.status = \(literal: EntryStatus.verified.rawValue)"
            case .rejected: "e.status = \(literal: EntryStatus.rejected.rawValue)"
            case .conflict: "e.status = \(literal: EntryStatus.pending.rawValue) AND e.conflict IS NOT NULL"
            case .added: "e.added = \(bind: true)"
            }
        }
    }

    struct Query: Decodable, Sendable {
        var status: String?
        var q: String?
        /// Numbers as typed: `Paging.number` reads them, so that "abc" is said back in Chinese.
        var page: String?
        var perPage: String?
    }

    static let pageSize = 100
    /// The API may ask for a whole county at once.
    static let maximumPageSize = 5_000

    let filter: Filter
    let term: TeacherSearchTerm?
    var page: Int
    let perPage: Int

    init(_ query: Query, today: CivilDate) throws {
        guard let filter = Filter(rawValue: query.status.flatMap { $0.isEmpty ? nil : $0 } ?? "all") else {
            throw AppError.badRequest(code: "status.invalid", "状态参数无效，应为 " + Filter.allCases.map(\.rawValue).joined(separator: "、"))
        }
        self.filter = filter
        term = try TeacherSearchTerm(searchBox: query.q, today: today)
        let paging = Paging(page: try Paging.number(query.page, name: "页码"), size: try Paging.number(query.perPage, name: "每页人数"),
                            defaultSize: Self.pageSize, maximumSize: Self.maximumPageSize)
        page = paging.page
        perPage = paging.size
    }

    var isFiltered: Bool { filter != .all || term != nil }

    struct Row: Decodable {
        let id: Int
        let sequence: Int
        let name: String
        let resident_id: String
        let phone: String?
        let school: String?
        let status: String
        let added: Bool
        let conflict: String?
        let certificate_no: String?
        let reason: String?
        let note: String?
    }

    /// The page and the number of entries that match, in the list's order with additions last.
    func fetch(on sql: any SQLDatabase, batchID: Int, county: String, scope: RegionScope) async throws -> (entries: [IntegrationController.EntryDTO], total: Int) {
        var condition: SQLQueryString = "e.batch_id = \(bind: batchID) AND e.county_code = \(bind: county) AND \(scope.predicate(table: "e"))"
        condition = "\(condition) AND \(filter.condition)"
        if let term { condition = "\(condition) AND \(term.condition(name: "e.name", residentID: "e.resident_id"))" }
        struct Count: Decodable { let n: Int }
        async let count = sql.raw("SELECT COUNT(*) AS n FROM integration_entries e WHERE \(condition)").first(decoding: Count.self)?.n
        async let rows = sql.raw("""
            SELECT e.id, e.sequence, e.name, e.resident_id, e.phone, e.school, e.status, e.added, e.conflict, e.certificate_no, e.reason, e.note
            FROM integration_entries e WHERE \(condition)
            ORDER BY e.added, e.sequence LIMIT \(unsafeRaw: String(perPage)) OFFSET \(unsafeRaw: String(Paging(page: page, size: perPage).offset))
            """).all(decoding: Row.self)
        return (try await rows.map(Self.entry), try await count ?? 0)
    }

    private static func entry(_ row: Row) throws -> IntegrationController.EntryDTO {
        let status = try EntryStatus.read(row.status, table: IntegrationEntryModel.schema, row: row.id, column: "status")
        let conflict = try row.conflict.map { try IntegrationEntries.Conflict.read($0, table: IntegrationEntryModel.schema, row: row.id, column: "conflict") }
        return IntegrationController.EntryDTO(
            id: row.id, sequence: row.sequence, name: row.name, residentID: ResidentID(canonical: row.resident_id)?.masked ?? "******",
            phone: row.phone, school: row.school, status: status.rawValue, statusLabel: status.label, added: row.added,
            conflict: conflict?.rawValue, conflictLabel: conflict?.label, certificateNumber: row.certificate_no, reason: row.reason,
            reasonLabel: row.reason.flatMap(RejectionReason.init(rawValue:))?.label, note: row.note, isPending: status == .pending)
    }
}
