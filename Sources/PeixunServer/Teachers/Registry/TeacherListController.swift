import Fluent
import Foundation
import LeafKit
import PeixunCore
import SQLKit
import Vapor

/// 教师名册: search, filter and page through the teachers in scope, on the web and in the
/// API, and download the filtered list. IDs are masked here; the full ID is on a teacher's page.
struct TeacherListController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.teachers(.list), use: page)
        routes.get(.teachers(.export), use: export)
        routes.get(.teachers(.apiTeachers), use: api)
    }

    struct TeacherRow: Content {
        let id: Int
        let name: String
        let residentID: String
        let mobile: String?
        let countyCode: String
        let county: String
        let schoolID: Int
        let school: String
        let stage: String
        let status: String
        let statusLabel: String
        let firstPassedYear: Int?
    }

    private func search(_ request: Request) throws -> TeacherSearch {
        let user = try request.requireUser()
        guard [.province, .city, .county].contains(user.role) else { throw AppError.notFound() }
        return try TeacherSearch(try request.query.decode(TeacherSearch.Query.self), scope: user.scope, regions: request.application.regions, today: request.clock.today())
    }

    private func row(_ row: TeacherSearch.Row, regions: RegionDirectory) -> TeacherRow {
        TeacherRow(id: row.id, name: row.name, residentID: ResidentID(canonical: row.resident_id)?.masked ?? "******",
                   mobile: row.mobile, countyCode: row.county_code, county: regions.region(code: row.county_code)?.name ?? row.county_code,
                   schoolID: row.school_id, school: row.school, stage: Stage(rawValue: row.stage)?.label ?? row.stage,
                   status: row.status.rawValue, statusLabel: row.status.label, firstPassedYear: row.first_passed_year)
    }

    struct ListDTO: Content {
        let total: Int
        let page: Int
        let pageSize: Int
        let pageCount: Int
        let teachers: [TeacherRow]
    }

    private func list(_ request: Request, _ search: TeacherSearch) async throws -> ListDTO {
        try await search.term?.auditIfWholeID(request, in: "教师名册")
        let (rows, count) = try await search.page(on: request.sql)
        let regions = request.application.regions
        return ListDTO(total: count, page: search.page, pageSize: TeacherSearch.pageSize,
                       pageCount: Paging(page: search.page, size: TeacherSearch.pageSize).pageCount(total: count),
                       teachers: rows.map { row($0, regions: regions) })
    }

    @Sendable func api(request: Request) async throws -> ListDTO {
        try await list(request, try search(request))
    }

    struct Option: Encodable, Sendable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct Page: Encodable, Sendable {
        let pageTitle = "教师名册"
        let q: String
        let school: String
        /// The region drop-down, only when there is more than one region to choose from
        /// (a county's own registry has none).
        let regions: [Option]
        let hasRegions: Bool
        let stages: [Option]
        let statuses: [Option]
        /// How many match (the rows themselves are `teachers`: the page encodes them once).
        let total: Int
        let hasRows: Bool
        let isFiltered: Bool
        let pager: PageBar
        /// The table's header: a sortable column is a link that sorts by it (again: the other way).
        let columns: [Column]
        /// The county's schools, suggested in the school box (a city has too many to list), as
        /// the datalist's `<option>`s written here, escaped: up to 500 of them went through a
        /// Leaf loop on every page of the registry.
        let schoolOptions: String
        let hasSchools: Bool
        let xlsxURL: String
        let csvURL: String
        let canCreate: Bool
        let error: String?
        let teachers: [Linked<TeacherRow, RowURL>]
        let formURL = SiteURL.teachers(.list).path
        let newURL = SiteURL.teachers(.new).path
        let transfersURL = SiteURL.teachers(.transfers).path
    }

    struct Column: Encodable, Sendable {
        let label: String
        let url: String?
        /// `aria-sort`: ascending, descending or none.
        let sort: String
        let arrow: String
    }

    static let columns: [(label: String, sort: TeacherSearch.Sort?)] = [
        ("姓名", .name), ("身份证号码", nil), ("县(市、区)", .county), ("所在学校", .school), ("学段", .stage), ("培训状态", .status), ("首次合格", nil),
    ]

    @Sendable func page(request: Request) async throws -> Response {
        let user = try request.requireUser()
        guard [.province, .city, .county].contains(user.role) else { throw AppError.notFound() }
        let query = try request.query.decode(TeacherSearch.Query.self)
        let regions = request.application.regions
        var error: String?
        var search: TeacherSearch
        do {
            search = try TeacherSearch(query, scope: user.scope, regions: regions, today: request.clock.today())
        } catch let failure as AppError where failure.status == .badRequest {
            // The form stays usable: the mistake is said above it and the unfiltered list shown.
            error = failure.reason
            search = try TeacherSearch(.init(region: query.region), scope: user.scope, regions: regions, today: request.clock.today())
        }
        var list = try await list(request, search)
        if list.teachers.isEmpty, search.page > list.pageCount {
            // A page past the end (a typed jump, a list that shrank) shows the last one.
            search.page = list.pageCount
            list = try await self.list(request, search)
        }
        func filters(sort: [(String, String)]) -> [URLQueryItem] {
            var items: [(String, String)] = []
            if let q = query.q, !q.isEmpty { items.append(("q", q)) }
            if let region = search.region { items.append(("region", region.code)) }
            if let school = search.school { items.append(("school", school)) }
            if let schoolID = search.schoolID { items.append(("schoolID", String(schoolID))) }
            if let stage = search.stage { items.append(("stage", stage.rawValue)) }
            if let status = search.status { items.append(("status", status.rawValue)) }
            return (items + sort).map { URLQueryItem(name: $0.0, value: $0.1) }
        }
        func url(_ url: SiteURL.Teachers, _ extra: [(String, String)]) -> String {
            SiteURL.teachers(url).path(adding: filters(sort: search.sortItems) + extra.map { URLQueryItem(name: $0.0, value: $0.1) })
        }
        let columns = Self.columns.map { column -> Column in
            guard let sort = column.sort else { return Column(label: column.label, url: nil, sort: "none", arrow: "") }
            let current = search.sort == sort
            let descending = current && !search.descending
            let link = SiteURL.teachers(.list).path(adding: filters(sort: [("sort", sort.rawValue)] + (descending ? [("order", "desc")] : [])))
            return Column(label: column.label, url: link, sort: current ? (search.descending ? "descending" : "ascending") : "none",
                          arrow: current ? (search.descending ? "▼" : "▲") : "")
        }
        var schools: [String] = []
        if user.role == .county, let county = user.regionCode {
            // Only the names, without Fluent's model decoding: every page of the county's registry lists them.
            struct Name: Decodable { let name: String }
            schools = try await request.sql.select().column("name").from(SchoolModel.schema).where("county_code", .equal, county)
                .orderBy("name").limit(500).all(decoding: Name.self).map(\.name)
        }
        var regionOptions = [Option(value: "", label: "全部", selected: search.region == nil)]
        if let root = user.scope.root(in: regions), let top = regions.region(code: root) {
            func add(_ region: Region, depth: Int) {
                if region.level != .province {
                    regionOptions.append(Option(value: region.code, label: String(repeating: "　", count: depth) + region.name,
                                                selected: search.region?.code == region.code))
                }
                guard region.level != .county else { return }
                for child in regions.children(of: region.code) { add(child, depth: region.level == .province ? 0 : depth + 1) }
            }
            add(top, depth: 0)
        }
        let page = Page(
            q: query.q ?? "", school: search.school ?? "",
            regions: regionOptions.count > 2 ? regionOptions : [], hasRegions: regionOptions.count > 2,
            stages: [Option(value: "", label: "全部", selected: search.stage == nil)]
                + Stage.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: search.stage == $0) },
            statuses: [Option(value: "", label: "全部", selected: search.status == nil)]
                + TeacherSearch.Status.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: search.status == $0) },
            total: list.total, hasRows: !list.teachers.isEmpty, isFiltered: search.isFiltered,
            pager: PageBar(page: search.page, pageCount: list.pageCount, list: .teachers(.list), keeping: filters(sort: search.sortItems)),
            columns: columns, schoolOptions: schools.map { "<option value=\"\($0.htmlEscaped())\">" }.joined(), hasSchools: !schools.isEmpty,
            xlsxURL: url(.export, [("format", "xlsx")]), csvURL: url(.export, [("format", "csv")]),
            canCreate: user.role == .county, error: error,
            teachers: list.teachers.map { Linked($0, url: .teachers(.teacher(.value($0.id)))) })
        return try await request.renderPage("teachers", page).encodeResponse(status: error == nil ? .ok : .badRequest, for: request)
    }

    static let exportHeaders = ["县(市、区)", "所在学校", "学段", "教师姓名", "身份证号码", "联系电话", "培训状态", "首次合格年度"]

    /// The filtered list as a file, with masked IDs; audited with the filters used. A list
    /// above `JobQueue.Settings.inlineExportRows` is written by a job (`ExportJob`), a chunk of
    /// rows at a time; one beyond a sheet's rows (`TableLayout.maxRows`) is refused.
    @Sendable func export(request: Request) async throws -> Response {
        let search = try search(request)
        let format = try TableDownload.format(try request.query.get(String?.self, at: "format"))
        let total = try await search.count(on: request.sql)
        try TableLayout.checkRowLimit(total, what: "教师")
        let user = try request.requireUser()
        if ExportJob.runsAsJob(rows: total, request: request) {
            let title = Self.exportRegionName(search, user: user, regions: request.application.regions) + "教师名册"
            return try await ExportJob.start(.teachers, format: format, title: title, rows: total, request: request)
        }
        return try await Self.export(search, user: user, filters: request.url.query ?? "", database: request.db,
                                     regions: request.application.regions, actor: .init(request), today: request.clock.today())
            .download(chunkRows: request.application.jobs.settings.exportChunkRows).response(format)
    }

    static func exportRegionName(_ search: TeacherSearch, user: CurrentUser, regions: RegionDirectory) -> String {
        (search.region ?? user.scope.root(in: regions).flatMap { regions.region(code: $0) })?.name ?? ""
    }

    /// The file's content, the same whether a request or a job writes it: its ids now (and the
    /// audit entry), its rows a chunk at a time as the writer asks.
    static func export(_ search: TeacherSearch, user: CurrentUser, filters: String, database: any Database, regions: RegionDirectory,
                       actor: AuditLog.Actor, today: CivilDate) async throws -> TableExport {
        let sql = database as! any SQLDatabase
        let ids = try await search.exportIDs(on: sql)
        let regionName = exportRegionName(search, user: user, regions: regions)
        let audit = AuditLog.regionColumns(search.region?.code ?? user.scope.root(in: regions), directory: regions)
        try await AuditLog.record(on: database, actor: actor, action: .export, objectType: "teacher_list",
                                  objectID: search.region?.code ?? user.scope.root(in: regions) ?? "",
                                  countyCode: audit.county, cityCode: audit.city,
                                  changes: ["filters": .init(before: nil, after: filters)],
                                  summary: "导出\(regionName)教师名册（\(ids.count) 人）")
        let stamp = today.description
        let layout = TableLayout(
            title: "\(regionName)教师名册（\(stamp)导出）", sheetName: "教师名册", headers: exportHeaders,
            widths: [14, 34, 10, 10, 22, 16, 10, 12], fileName: "\(regionName)教师名册-\(stamp)", asciiFileName: "teachers-\(stamp)")
        return TableExport(layout: layout, ids: ids) { chunk in
            try await search.rows(ids: chunk, on: sql).map { row in
                [regions.region(code: row.county_code)?.name ?? row.county_code, row.school, Stage(rawValue: row.stage)?.label ?? row.stage,
                 row.name, ResidentID(canonical: row.resident_id)?.masked ?? "******", row.mobile ?? "", row.status.label,
                 row.first_passed_year.map(String.init) ?? ""]
            }
        }
    }
}
