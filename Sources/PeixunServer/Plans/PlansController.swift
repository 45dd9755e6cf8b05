import Fluent
import Crypto
import Foundation
import PeixunCore
import PeixunSheets
import Vapor

/// 培训计划 (Appendix 3) on the web and in the API: the county's form, the city's and the
/// province's tables with their approval steps, the workbook.
struct PlansController {
    typealias Decision = SiteURL.Plans.Decision

    func boot(routes: any RoutesBuilder) {
        routes.get(.plans(.page()), use: page)
        routes.get(.plans(.export()), use: export)
        routes.get(.plans(.api()), use: api)
        routes.post(.plans(.save(.key, .key)), use: save)
        routes.on(.PUT, SiteURL.plans(.apiRow(.key, .key)).pathComponents, use: put)
        routes.on(.POST, SiteURL.plans(.importFile(.key, .key)).pathComponents, body: .collect(maxSize: PlanBook.maxUpload), use: upload)
        routes.post(.plans(.importApply(.key, .key, .key)), use: applyUpload)
        routes.on(.POST, SiteURL.plans(.apiImport(.key, .key)).pathComponents, body: .collect(maxSize: PlanBook.maxUpload), use: apiImport)
        for decision in Decision.allCases {
            routes.post(.plans(.decide(.key, .key, decision))) { try await self.decide(decision, request: $0, api: false) }
            routes.post(.plans(.apiDecide(.key, .key, decision))) { try await self.decide(decision, request: $0, api: true) }
        }
    }

    struct TableQuery: Decodable {
        var year: Int?
        var region: String?
        var notice: String?
    }

    private func table(_ request: Request) async throws -> (PlanBook, PlanTableDTO) {
        let book = try PlanBook(request: request)
        let query = try request.query.decode(TableQuery.self)
        let table = try await book.tables.table(year: try PlanBook.year(query.year), region: try book.region(query.region))
        return (book, table)
    }

    @Sendable func api(request: Request) async throws -> PlanTableDTO {
        try await table(request).1
    }

    @Sendable func export(request: Request) async throws -> Response {
        let book = try PlanBook(request: request)
        let query = try request.query.decode(TableQuery.self)
        let year = try PlanBook.year(query.year)
        let region = try book.region(query.region)
        let content = try await book.tables.workbook(year: year, region: region, fallbackFiller: book.user.displayName)
        let cells = AuditLog.regionColumns(region.code, directory: book.regions)
        try await AuditLog.record(on: request.db, actor: book.actor, action: .export, objectType: "plan", objectID: String(year),
                                  countyCode: cells.county, cityCode: cells.city, summary: "导出\(region.name)\(year)年培训计划及执行情况表")
        let response = Response(status: .ok, body: .init(data: try PlanTable.xlsx(content)))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        let name = "\(region.name)\(year)年培训计划及执行情况.xlsx"
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "plan.xlsx"
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"plan-\(year).xlsx\"; filename*=UTF-8''\(encoded)")
        return response
    }

    /// The API's body: numbers as JSON numbers, null or left out when not yet known.
    struct RowBody: Content {
        var provincialDemand: Int?
        var localPlan: Int?
        var remarks: String?
        var usesProvincialPlatform: Bool?
    }

    /// The form's body: every field as typed.
    struct RowForm: Content {
        var provincialDemand: String?
        var localPlan: String?
        var remarks: String?
        var usesProvincialPlatform: String?
    }

    private func target(_ request: Request) throws -> (year: Int, region: String) {
        guard let year = request.parameters.get(.year, as: Int.self), PlanBook.years.contains(year),
              let region = request.parameters.get(.regionCode) else { throw AppError.notFound("培训计划") }
        return (year, region)
    }

    /// What is stored when a field is left out: the platform answer stays as it was.
    private func stored(_ book: PlanBook, year: Int, county: String) async throws -> PlanEntry? {
        try await PlanModel.query(on: book.database).filter(\.$year == year).filter(\.$countyCode == county).first()?.entry
    }

    @Sendable func put(request: Request) async throws -> PlanTableDTO.Row {
        let book = try PlanBook(request: request)
        let (year, code) = try target(request)
        // Not found before the body is read: nobody learns of another county's plan.
        guard try book.region(code).level == .county else { throw AppError.notFound("县(市、区)") }
        let body = try request.content.decode(RowBody.self)
        var platform = body.usesProvincialPlatform
        if platform == nil { platform = try await stored(book, year: year, county: code)?.usesProvincialPlatform }
        return try await book.save(year: year, county: code, entry: PlanEntry(
            provincialDemand: body.provincialDemand, localPlan: body.localPlan, usesProvincialPlatform: platform ?? true, remarks: body.remarks ?? ""))
    }

    @Sendable func save(request: Request) async throws -> Response {
        let book = try PlanBook(request: request)
        let (year, code) = try target(request)
        guard try book.region(code).level == .county else { throw AppError.notFound("县(市、区)") }
        let form = try request.content.decode(RowForm.self)
        func number(_ text: String?, _ label: String) throws -> Int? {
            guard let text = text.map(TextCleaning.clean)?.replacingOccurrences(of: ",", with: ""), !text.isEmpty else { return nil }
            guard let value = Int(text) else {
                throw AppError(.unprocessableEntity, code: "plan.not_a_number", "\(label)应填写整数（填写了“\(text.prefix(20))”）")
            }
            return value
        }
        let row = try await book.save(year: year, county: code, entry: PlanEntry(
            provincialDemand: try number(form.provincialDemand, "省级及以上项目需求数"),
            localPlan: try number(form.localPlan, "市县级培训计划数"),
            usesProvincialPlatform: ["on", "1", "true"].contains(form.usesProvincialPlatform ?? ""), remarks: form.remarks ?? ""))
        let notice = row.warnings.isEmpty ? "已保存" : "已保存；请留意 \(row.warnings.count) 条提示"
        return request.redirect(to: SiteURL.plans(.page(year: year, region: code, notice: notice)).path, redirectType: .normal)
    }

    private func decide(_ decision: Decision, request: Request, api: Bool) async throws -> Response {
        let book = try PlanBook(request: request)
        let (year, code) = try target(request)
        _ = try book.region(code)
        let unit = try await book.decide(decision, year: year, region: code, form: request.headers.contentType == nil ? PlanBook.DecisionForm() : try request.content.decode(PlanBook.DecisionForm.self))
        // The city's page after acting on a county, the province's after acting on a city.
        let shown = decision == .submit ? unit.code : unit.parentCode.flatMap { book.user.scope.contains(regionCode: $0, in: book.regions) ? $0 : nil } ?? unit.code
        let region = try book.region(shown)
        if api { return try await book.tables.table(year: year, region: region).encodeResponse(for: request) }
        return request.redirect(to: SiteURL.plans(.page(year: year, region: region.code, notice: "\(unit.name)：已\(decision.label)")).path,
                                redirectType: .normal)
    }

    struct RowLinks: Encodable, Sendable {
        let url: String
        let sendBackURL: String
        let approveURL: String
        let reopenURL: String
    }

    struct Page: Encodable, Sendable {
        let pageTitle: String
        let view: PlanTableDTO
        let notice: String?
        let isCounty: Bool
        let isProvince: Bool
        /// The county's own row, with its form when it may edit.
        let countyRow: PlanTableDTO.Row?
        let saveURL: String?
        let submitURL: String?
        let exportURL: String
        let upURL: String?
        let fillerDefault: String
        let rows: [Linked<PlanTableDTO.Row, RowLinks>]
        let years: [Int]
        let pageURL: String
        let figuresYear: Int
        let importURL: String?
        /// Nil when there are none (Leaf takes an empty array for true).
        let countyWarnings: [PlanWarning]?
    }

    @Sendable func page(request: Request) async throws -> View {
        let (book, view) = try await table(request)
        let query = try request.query.decode(TableQuery.self)
        let year = view.year
        let isCounty = view.level == "county"
        let root = book.user.scope.root(in: book.regions)
        let up = view.region.code == root ? nil : book.regions.region(code: view.region.code)?.parentCode
        let rows = view.rows.map { row in
            Linked(row, RowLinks(url: SiteURL.plans(.page(year: year, region: row.code)).path,
                                 sendBackURL: SiteURL.plans(.decide(.value(year), .value(row.code), .sendBack)).path,
                                 approveURL: SiteURL.plans(.decide(.value(year), .value(row.code), .approve)).path,
                                 reopenURL: SiteURL.plans(.decide(.value(year), .value(row.code), .reopen)).path))
        }
        return try await request.renderPage("plans", Page(
            pageTitle: "\(view.region.name) · \(year)年培训计划", view: view, notice: query.notice.map { String($0.prefix(200)) },
            isCounty: isCounty, isProvince: view.level == "province", countyRow: isCounty ? view.rows.first : nil,
            saveURL: isCounty && view.total.actions.mayEdit ? SiteURL.plans(.save(.value(year), .value(view.region.code))).path : nil,
            submitURL: view.total.actions.maySubmit ? SiteURL.plans(.decide(.value(year), .value(view.region.code), .submit)).path : nil,
            exportURL: SiteURL.plans(.export(year: year, region: view.region.code)).path,
            upURL: up.map { SiteURL.plans(.page(year: year, region: $0)).path }, fillerDefault: book.user.displayName,
            rows: rows, years: try await ReportingYears.choices(on: request.sql, showing: year),
            pageURL: SiteURL.plans(.page()).path, figuresYear: PlanTable.figuresYear(for: year),
            importURL: view.level == "city" && [.city, .province].contains(book.user.role)
                ? SiteURL.plans(.importFile(.value(year), .value(view.region.code))).path : nil,
            countyWarnings: isCounty && !(view.rows.first?.warnings.isEmpty ?? true) ? view.rows.first?.warnings : nil))
    }

    // MARK: Import

    private func withTemporaryFile<T>(_ data: Data, _ body: (URL) async throws -> T) async throws -> T {
        let url = URL(fileURLWithPath: NSTemporaryDirectory() + "peixun-plan-import-\(UUID().uuidString)")
        try data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try await body(url)
    }

    /// Checks the region before anything is read from the body: nobody learns of another city.
    private func importTarget(_ request: Request) throws -> (PlanBook, Int, Region) {
        let book = try PlanBook(request: request)
        let (year, code) = try target(request)
        let city = try book.region(code)
        guard city.level == .city, [.city, .province].contains(book.user.role) else { throw AppError.notFound("市(州)") }
        return (book, year, city)
    }

    @Sendable func apiImport(request: Request) async throws -> PlanImportDTO {
        let (book, year, city) = try importTarget(request)
        struct Query: Decodable { var dryRun: Bool?; var fileName: String? }
        let query = try request.query.decode(Query.self)
        guard let body = request.body.data, body.readableBytes > 0 else {
            throw AppError.badRequest(code: "file.empty", "请在请求体中上传附件3 表格（.xlsx、.xls 或 .csv）")
        }
        return try await withTemporaryFile(Data(buffer: body)) { url in
            try await book.importSheet(year: year, city: city.code, url: url, fileName: query.fileName ?? "plan.xlsx", apply: query.dryRun != true)
        }
    }

    struct UploadForm: Content { var file: File }

    struct ImportPage: Encodable, Sendable {
        let pageTitle: String
        let view: PlanImportDTO
        let hasChanges: Bool
        let hasIssues: Bool
        let hasLocked: Bool
        let applyURL: String?
        let backURL: String
    }

    /// The upload is kept (as the other imports keep theirs) and its differences shown; the
    /// page's button applies exactly that file.
    @Sendable func upload(request: Request) async throws -> View {
        let (book, year, city) = try importTarget(request)
        let form = try request.content.decode(UploadForm.self)
        let data = Data(buffer: form.file.data)
        var view = try await withTemporaryFile(data) { url in
            try await book.importSheet(year: year, city: city.code, url: url, fileName: form.file.filename, apply: false)
        }
        let upload = ImportUploadModel()
        upload.userID = book.user.id
        upload.kind = "plans"
        upload.fileName = String(form.file.filename.prefix(200))
        upload.sha256 = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        upload.content = data
        upload.createSchools = false
        upload.schoolYear = year
        upload.createdAt = book.clock.now()
        try await upload.create(on: request.db)
        view.uploadID = upload.id
        let ready = !view.changes.isEmpty && view.issues.isEmpty && view.locked.isEmpty
        return try await request.renderPage("plans-import", ImportPage(
            pageTitle: "导入\(city.name)\(year)年培训计划", view: view, hasChanges: !view.changes.isEmpty, hasIssues: !view.issues.isEmpty,
            hasLocked: !view.locked.isEmpty,
            applyURL: ready ? SiteURL.plans(.importApply(.value(year), .value(city.code), .value(upload.id!))).path : nil,
            backURL: SiteURL.plans(.page(year: year, region: city.code)).path))
    }

    @Sendable func applyUpload(request: Request) async throws -> Response {
        let (book, year, city) = try importTarget(request)
        guard let id = request.parameters.get(.uploadID, as: Int.self), let upload = try await ImportUploadModel.find(id, on: request.db),
              upload.userID == book.user.id, upload.kind == "plans", upload.schoolYear == year else { throw AppError.notFound("上传的文件") }
        let view = try await withTemporaryFile(upload.content) { url in
            try await book.importSheet(year: year, city: city.code, url: url, fileName: upload.fileName, apply: true)
        }
        try await upload.delete(on: request.db)
        let counties = Set(view.changes.map(\.code)).count
        return request.redirect(to: SiteURL.plans(.page(year: year, region: city.code, notice: "已导入 \(counties) 个县(市、区)的计划")).path,
                                redirectType: .normal)
    }
}
