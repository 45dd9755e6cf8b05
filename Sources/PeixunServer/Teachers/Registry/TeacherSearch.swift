import PeixunCore
import SQLKit
import Vapor

/// 教师名册查询: the filters of the registry page, its API and its export, turned into one SQL
/// condition that always includes the user's region scope.
struct TeacherSearch: Sendable {
    /// Training status as the offices count it (Appendix 1): 已参训 means passed at least once.
    enum Status: String, Sendable, CaseIterable, Codable {
        case untrained, passed, failed

        var label: String {
            switch self {
            case .untrained: "未参训"
            case .passed: "已参训"
            case .failed: "不合格"
            }
        }
    }

    /// The query string as sent by the filter form and API clients.
    struct Query: Decodable, Sendable {
        var q: String?
        var region: String?
        var school: String?
        var schoolID: Int?
        var stage: String?
        var status: String?
        /// A column of `Sort` and `asc` or `desc`.
        var sort: String?
        var order: String?
        /// As typed: `Paging.number` reads it, so that "abc" is said back in Chinese.
        var page: String?
    }

    static let pageSize = 50

    let scope: RegionScope
    var term: TeacherSearchTerm?
    var region: Region?
    var school: String?
    var schoolID: Int?
    var stage: Stage?
    var status: Status?
    var sort: Sort?
    var descending = false
    var page = 1

    /// Checks every parameter, so that a mistyped filter is said back rather than ignored.
    init(_ query: Query, scope: RegionScope, regions: RegionDirectory, today: CivilDate) throws {
        self.scope = scope
        term = try TeacherSearchTerm(searchBox: query.q, today: today)
        if let code = query.region, !code.isEmpty {
            guard let found = regions.region(code: code), scope.contains(regionCode: found.code, in: regions) else {
                throw AppError.notFound("行政区划")
            }
            region = found.level == .province ? nil : found
        }
        if let name = query.school.map(TeacherRowValidator.clean), !name.isEmpty { school = name }
        schoolID = query.schoolID
        if let text = query.stage, !text.isEmpty {
            guard let value = Stage(rawValue: text) ?? Stage(label: text) else {
                throw AppError.badRequest(code: "stage.invalid", "学段参数无效，应为幼儿园、中小学或中职")
            }
            stage = value
        }
        if let text = query.status, !text.isEmpty {
            guard let value = Status(rawValue: text) ?? Status.allCases.first(where: { $0.label == text }) else {
                throw AppError.badRequest(code: "status.invalid", "培训状态参数无效，应为未参训、已参训或不合格")
            }
            status = value
        }
        (sort, descending) = try Sort.read(query.sort, order: query.order)
        page = Paging(page: try Paging.number(query.page, name: "页码"), size: Self.pageSize).page
    }

    var isFiltered: Bool { term != nil || region != nil || school != nil || schoolID != nil || stage != nil || status != nil }

    static let failedRecord: SQLQueryString =
        "EXISTS (SELECT 1 FROM training_records r WHERE r.teacher_id = t.id AND r.result = 'failed')"

    /// The condition over `teachers t JOIN schools s`.
    var condition: SQLQueryString {
        var parts: [SQLQueryString] = ["\(scope.predicate(table: "t", teacherID: "id"))"]
        if let term { parts.append(term.condition(name: "t.name", residentID: "t.resident_id")) }
        if let region {
            parts.append(region.level == .city ? "t.city_code = \(bind: region.code)" : "t.county_code = \(bind: region.code)")
        }
        if let school { parts.append("s.name LIKE \(bind: "%" + Self.escapeLike(school) + "%") ESCAPE '!'") }
        if let schoolID { parts.append("t.school_id = \(bind: schoolID)") }
        if let stage { parts.append("t.stage = \(bind: stage.rawValue)") }
        switch status {
        case .passed: parts.append("t.first_passed_year IS NOT NULL")
        case .untrained: parts.append("t.first_passed_year IS NULL AND NOT \(Self.failedRecord)")
        case .failed: parts.append("t.first_passed_year IS NULL AND \(Self.failedRecord)")
        case nil: break
        }
        return parts.joined(separator: " AND ")
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "!", with: "!!").replacingOccurrences(of: "%", with: "!%").replacingOccurrences(of: "_", with: "!_")
    }

    static func likePrefix(_ name: String) -> String { escapeLike(name) + "%" }

    struct Row: Decodable, Sendable {
        let id: Int
        let name: String
        let resident_id: String
        let mobile: String?
        let stage: String
        let county_code: String
        let school_id: Int
        let school: String
        let first_passed_year: Int?
        let failed: Int
    }

    private func selectRows(where predicate: SQLQueryString, also columns: SQLQueryString = "") -> SQLQueryString {
        """
        SELECT t.id, t.name, t.resident_id, t.mobile, t.stage, t.county_code, t.school_id, s.name AS school, t.first_passed_year,
               CASE WHEN t.first_passed_year IS NULL AND \(Self.failedRecord) THEN 1 ELSE 0 END AS failed\(columns)
        FROM teachers t JOIN schools s ON s.id = t.school_id
        WHERE \(predicate)
        """
    }

    /// `teachers t`, joined to `schools s` only when the school's name is filtered or sorted on:
    /// every teacher has exactly one school (`school_id` is required), so the join changes no
    /// count and no page, but PostgreSQL answered it by hashing all 21,849 schools on every
    /// registry request (a county's count 10.5 ms → see bench/README.md).
    private func tables(sortedBySchool: Bool) -> SQLQueryString {
        school != nil || sortedBySchool ? "teachers t JOIN schools s ON s.id = t.school_id" : "teachers t"
    }

    /// The region asked for, over a table with `county_code` and `city_code` columns.
    private var regionFilter: SQLQueryString {
        guard let region else { return "" }
        return region.level == .city ? " AND city_code = \(bind: region.code)" : " AND county_code = \(bind: region.code)"
    }

    func count(on sql: any SQLDatabase) async throws -> Int {
        struct Count: Decodable { let n: Int }
        return try await sql.preparedFirst(countQuery, decoding: Count.self)?.n ?? 0
    }

    private var countQuery: SQLQueryString {
        if term != nil || school != nil || schoolID != nil || stage != nil || status != nil {
            "SELECT COUNT(*) AS n FROM \(tables(sortedBySchool: false)) WHERE \(condition)"
        } else {
            // A region's whole registry: its teachers counted by county in the rollup (kept in step
            // by every write to `teachers`, checked by `peixun check`) — a few rows instead of one
            // index entry per teacher (a county's 8,655 took 0.5 ms on PostgreSQL, the province's
            // 737,686 most of its registry page).
            """
            SELECT CAST(COALESCE(SUM(teachers), 0) AS BIGINT) AS n FROM progress_county_rollups
            WHERE \(scope.predicate())\(regionFilter)
            """
        }
    }

    /// One page, in the order asked for, else in registry order (county, then registration), and
    /// how many match — in one statement, the count a column of every row (an uncorrelated
    /// subquery, worked out once): two statements were two round trips, dearer on PostgreSQL
    /// than the work. Only a page past the end counts again.
    func page(on sql: any SQLDatabase) async throws -> (rows: [Row], total: Int) {
        let order = sort?.orderBy(descending: descending, dialect: sql.dialect.name) ?? "t.county_code, t.id"
        // The page's ids first, then the columns of those 50 rows: PostgreSQL otherwise works out
        // the "failed" flag (a hashed scan of every failed record, 135 ms) before it skips to the
        // page (a county's page 40: 184 ms → see bench/README.md). Every order ends in t.id.
        // The page's place is bound, not written: one prepared statement serves every page.
        let page: SQLQueryString = """
            t.id IN (SELECT t.id FROM \(tables(sortedBySchool: sort == .school)) WHERE \(condition)
                     ORDER BY \(order) LIMIT \(bind: Self.pageSize) OFFSET \(bind: Paging(page: page, size: Self.pageSize).offset))
            """
        let query: SQLQueryString = selectRows(where: page, also: ", (\(countQuery)) AS total") + " ORDER BY \(order)"
        let rows = try await sql.preparedRows(query)
        struct Total: Decodable { let total: Int }
        guard let first = rows.first else { return ([], try await count(on: sql)) }
        return (try rows.map { try $0.decode(model: Row.self) }, try first.decode(model: Total.self).total)
    }

    /// The order of the export: the one asked for, else the one an office reads a list in:
    /// county, school, name.
    func exportOrder(dialect: String) -> SQLQueryString {
        sort?.orderBy(descending: descending, dialect: dialect) ?? "t.county_code, s.name, t.name, t.id"
    }

    /// Every matching teacher's id, in the export's order (`TableExport`).
    func exportIDs(on sql: any SQLDatabase) async throws -> [Int] {
        try await TableExport.ids("""
            SELECT t.id FROM teachers t JOIN schools s ON s.id = t.school_id WHERE \(condition) ORDER BY \(exportOrder(dialect: sql.dialect.name))
            """, what: "教师", on: sql)
    }

    /// The rows of a chunk of those ids that still match, in the chunk's order.
    func rows(ids: [Int], on sql: any SQLDatabase) async throws -> [Row] {
        let rows = try await sql.raw(selectRows(where: TableExport.idList("t.id", ids) + " AND \(condition)")).all(decoding: Row.self)
        return TableExport.ordered(rows, by: ids, id: \.id)
    }
}

extension TeacherSearch.Row {
    var status: TeacherSearch.Status { first_passed_year != nil ? .passed : failed > 0 ? .failed : .untrained }
}

extension TeacherSearchTerm {
    /// What a search box sent: nil when empty; too few digits of an ID is a 400 that says so.
    init?(searchBox text: String?, today: CivilDate) throws {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        guard let term = TeacherSearchTerm(text, today: today) else {
            throw AppError.badRequest(code: "search.id_form", "按身份证号码查询时请输入完整的18位号码，或末尾\(TeacherSearchTerm.suffixLength)位")
        }
        self = term
    }

    /// The term as a condition over a table's name and resident-ID columns: the whole ID, its
    /// last digits, or a name (whole, or its first characters).
    func condition(name: String, residentID: String) -> SQLQueryString {
        switch self {
        case .residentID(let id): "\(unsafeRaw: residentID) = \(bind: id)"
        case .idSuffix(let digits): "\(unsafeRaw: residentID) LIKE \(bind: "%" + digits)"
        case .name(let text): "(\(unsafeRaw: name) = \(bind: text) OR \(unsafeRaw: name) LIKE \(bind: TeacherSearch.likePrefix(text)) ESCAPE '!')"
        }
    }
}

extension TeacherSearchTerm {
    /// A search by a whole ID tells the searcher whether that person is in its scope, which is
    /// as much as viewing the ID tells: audited the same way. The entry keeps the masked ID.
    func auditIfWholeID(_ request: Request, in list: String) async throws {
        guard case .residentID(let id) = self, let user = request.currentUser else { return }
        let region = AuditLog.regionColumns(user.regionCode, directory: request.application.regions)
        try await AuditLog.record(
            on: request.db, actor: .init(request), action: .searchFullID, objectType: "resident_id", objectID: nil,
            countyCode: region.county, cityCode: region.city,
            summary: "在\(list)中按完整身份证号 \(ResidentID(canonical: id)?.masked ?? "") 查询")
    }
}
