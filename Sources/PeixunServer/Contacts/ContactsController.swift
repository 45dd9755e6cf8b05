import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import Vapor

/// 项目联系人 (附件4): pages and JSON for each unit's contact, the approval steps, the list of
/// units without contacts, and the Appendix 4 workbook.
struct ContactsController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.contacts(.page()), use: page)
        routes.post(.contacts(.save)) { try await self.save(request: $0, api: false) }
        routes.get(.contacts(.missing()), use: missingPage)
        routes.get(.contacts(.export()), use: export)
        routes.get(.contacts(.api()), use: api)
        routes.post(.contacts(.apiSave)) { try await self.save(request: $0, api: true) }
        routes.get(.contacts(.apiMissing()), use: missingAPI)
        for decision in SiteURL.Contacts.Decision.allCases {
            routes.post(.contacts(.decide(decision))) { try await self.decide(decision, request: $0, api: false) }
            routes.post(.contacts(.apiDecide(decision))) { try await self.decide(decision, request: $0, api: true) }
        }
    }

    struct Query: Content {
        var year: Int?
        var region: String?
    }

    private func view(_ request: Request) async throws -> ContactsDesk.ViewDTO {
        let desk = try ContactsDesk(request: request)
        let query = try request.query.decode(Query.self)
        return try await desk.view(year: try ContactsDesk.year(query.year), region: query.region)
    }

    @Sendable func api(request: Request) async throws -> ContactsDesk.ViewDTO {
        try await view(request)
    }

    struct UnitRow: Encodable, Sendable {
        let unit: ContactsDesk.UnitDTO
        let url: String
        let hasContact: Bool
    }

    struct Page: Encodable, Sendable {
        let pageTitle: String
        let view: ContactsDesk.ViewDTO
        let hasUnit: Bool
        let hasContact: Bool
        let hasRows: Bool
        let hasReminders: Bool
        let rows: [UnitRow]
        let contact: ContactDetails?
        let mayEdit: Bool
        let maySubmit: Bool
        let returned: Bool
        let isProvince: Bool
        let rowsAreCities: Bool
        let saveURL: String
        let submitURL: String
        let sendBackURL: String
        let approveURL: String
        let reopenURL: String
        let missingURL: String
        let exportURL: String
        let timelinessURL: String
        let formURL: String
        /// A refused save: each problem, named by its field; the form keeps what was typed.
        let issues: [RowIssue]
        let hasIssues: Bool
        /// The year picker's choices (`ReportingYears`).
        let years: [Int]
    }

    @Sendable func page(request: Request) async throws -> View {
        try await page(request, view: try await view(request))
    }

    private func page(_ request: Request, view: ContactsDesk.ViewDTO, typed: ContactDetails? = nil, issues: [RowIssue] = []) async throws -> View {
        let user = try request.requireUser()
        let rows = view.units.map {
            UnitRow(unit: $0, url: SiteURL.contacts(.page(year: view.year, region: $0.code)).path, hasContact: $0.contact != nil)
        }
        let own = view.unit?.code == user.regionCode ? view.unit : nil
        return try await request.renderPage("contacts", Page(
            pageTitle: "项目联系人 · \(view.region.name) · \(view.year)年", view: view, hasUnit: view.unit != nil,
            hasContact: view.unit?.contact != nil, hasRows: !rows.isEmpty, hasReminders: !view.reminders.isEmpty, rows: rows,
            contact: typed ?? view.unit?.contact, mayEdit: own?.actions.mayEdit ?? false, maySubmit: own?.actions.maySubmit ?? false,
            returned: view.unit?.state == ApprovalState.returned.rawValue, isProvince: user.role == .province,
            rowsAreCities: view.units.first?.level == "city",
            saveURL: SiteURL.contacts(.save).path, submitURL: SiteURL.contacts(.decide(.submit)).path,
            sendBackURL: SiteURL.contacts(.decide(.sendBack)).path, approveURL: SiteURL.contacts(.decide(.approve)).path,
            reopenURL: SiteURL.contacts(.decide(.reopen)).path,
            missingURL: user.role == .county ? "" : SiteURL.contacts(.missing(year: view.year)).path,
            exportURL: view.unit?.level == "county" ? "" : SiteURL.contacts(.export(year: view.year, region: view.region.code)).path,
            timelinessURL: SiteURL.timeliness(.page(task: "contacts", year: view.year)).path,
            formURL: SiteURL.contacts(.page()).path, issues: issues, hasIssues: !issues.isEmpty,
            years: try await ReportingYears.choices(on: request.sql, showing: view.year)))
    }

    struct SaveForm: Content {
        var year: LenientYear?
        var department: String?
        var person: String?
        var title: String?
        var officePhone: String?
        var mobile: String?
        var email: String?
    }

    private func save(request: Request, api: Bool) async throws -> Response {
        let desk = try ContactsDesk(request: request)
        let form = try request.content.decode(SaveForm.self)
        let year = try ContactsDesk.year(form.year?.value)
        let details: ContactDetails
        do {
            details = try await desk.save(year: year, ContactInput(department: form.department, person: form.person, title: form.title,
                                                                   officePhone: form.officePhone, mobile: form.mobile, email: form.email))
        } catch let refusal as InputRefusal where !api {
            let typed = ContactDetails(department: form.department ?? "", person: form.person ?? "", title: form.title ?? "",
                                       officePhone: form.officePhone ?? "", mobile: form.mobile ?? "", email: form.email ?? "")
            let view = try await desk.view(year: year, region: nil)
            return try await page(request, view: view, typed: typed, issues: refusal.issues).encodeResponse(status: .unprocessableEntity, for: request)
        }
        if api { return try await details.encodeResponse(for: request) }
        return request.redirect(to: SiteURL.contacts(.page(year: year)).path, redirectType: .normal)
    }

    struct DecisionForm: Content {
        var year: LenientYear?
        var region: String?
        var reason: String?
    }

    private func decide(_ decision: SiteURL.Contacts.Decision, request: Request, api: Bool) async throws -> Response {
        let desk = try ContactsDesk(request: request)
        let form = try request.content.decode(DecisionForm.self)
        let year = try ContactsDesk.year(form.year?.value)
        try await desk.decide(decision, year: year, region: form.region, reason: form.reason)
        if api {
            let region = decision == .submit ? desk.user.regionCode : desk.regions.region(code: form.region ?? "")?.parentCode
            return try await desk.view(year: year, region: region).encodeResponse(for: request)
        }
        return request.redirect(to: SiteURL.contacts(.page(year: year)).path, redirectType: .normal)
    }

    struct MissingList: Content {
        let year: Int
        let units: [ContactsDesk.MissingDTO]
    }

    private func missing(_ request: Request) async throws -> MissingList {
        let desk = try ContactsDesk(request: request)
        let year = try ContactsDesk.year(try request.query.decode(Query.self).year)
        return MissingList(year: year, units: try await desk.missing(year: year))
    }

    @Sendable func missingAPI(request: Request) async throws -> MissingList {
        try await missing(request)
    }

    struct MissingPage: Encodable, Sendable {
        let pageTitle: String
        let list: MissingList
        let hasUnits: Bool
        let contactsURL: String
    }

    @Sendable func missingPage(request: Request) async throws -> View {
        let list = try await missing(request)
        return try await request.renderPage("contacts-missing", MissingPage(
            pageTitle: "未报送项目联系人的单位 · \(list.year)年", list: list, hasUnits: !list.units.isEmpty,
            contactsURL: SiteURL.contacts(.page(year: list.year)).path))
    }

    @Sendable func export(request: Request) async throws -> Response {
        let desk = try ContactsDesk(request: request)
        let query = try request.query.decode(Query.self)
        let year = try ContactsDesk.year(query.year)
        let (name, rows) = try await desk.exportRows(year: year, region: query.region)
        let path = NSTemporaryDirectory() + "peixun-contacts-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ContactsWorkbook.write(rows, regionName: name, year: year, to: path)
        try await AuditLog.record(on: request.db, actor: .init(request), action: .export, objectType: "contact", objectID: String(year),
                                  summary: "导出\(name)\(year)年项目联系人信息表（\(rows.count) 行）")
        return try TableDownload.file(at: path, fileName: "\(name)\(year)年项目联系人信息表", asciiFileName: "contacts-\(year)")
    }
}
