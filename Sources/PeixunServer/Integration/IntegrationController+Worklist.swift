import Foundation
import PeixunCore
import Vapor

/// The county's worklist page: tabs, search, the rows with their forms, the page-number bar,
/// and where a form returns to (the row acted on, or the message of a 批量核实) with what it did.
extension IntegrationController {
    struct CountyPage: Encodable, Sendable {
        struct Reason: Encodable, Sendable { let value: String; let label: String }
        struct Tab: Encodable, Sendable { let label: String; let count: Int; let url: String; let current: Bool }
        let pageTitle: String
        let view: CountyDTO
        let hasEntries: Bool
        let reasons: [Reason]
        let tabs: [Tab]
        let q: String
        let hasSearch: Bool
        let statusFilter: String?
        let isFiltered: Bool
        let pager: PageBar
        let entries: [Linked<EntryDTO, EntryLinks>]
        let links: BatchLinks
        /// What the last form did ("已核实：张三"), shown above the list after the redirect.
        let notice: String?
        /// 批量核实: the form the rows' checkboxes belong to (`form="bulk-verify"`), shown while
        /// the county may verify and the page has rows waiting; `checkable` lists those rows,
        /// what "select this page" verifies.
        let bulk: Bulk?
    }

    struct Bulk: Encodable, Sendable {
        let url: String
        let checkable: [Int]
        let count: Int
        let confirm: String
    }

    /// `anchor` is the row's `id` (`entry-12`), where a form's redirect returns to; `nextID` the
    /// row below it, the place to return to when the entry leaves the current tab.
    struct EntryLinks: Encodable, Sendable {
        let anchor: String
        let verifyURL: String
        let rejectURL: String
        let nextID: Int?
        let justDone: Bool
        /// A box to tick for 批量核实 (pending rows, while the county may verify).
        let checkable: Bool
    }

    /// What a form on the worklist did, carried by the redirect (`done=verify&entry=12`) so the
    /// page can say so; the name is read again under the user's scope, never from the URL.
    enum Done: String {
        case verify, reject, add, submit
        /// 批量核实; `record=` names its audit entry, whose summary is the message.
        case bulk
        static let queryNames = ["done", "entry", "record"]
    }

    func notice(_ request: Request, view: CountyDTO) async throws -> (text: String, entry: Int?)? {
        guard let done = (try? request.query.get(String.self, at: "done")).flatMap(Done.init(rawValue:)) else { return nil }
        if done == .submit { return view.state == ApprovalState.submitted.rawValue ? ("已提交本县名单，等待市(州)审核。", nil) : nil }
        if done == .bulk { return try await bulkNotice(request, batchID: view.batch.id).map { ($0, nil) } }
        guard let id = try? request.query.get(Int.self, at: "entry"),
              let entry = try? await service(request).entry(id, on: request.db), entry.countyCode == view.county else { return nil }
        switch done {
        case .verify where entry.status == EntryStatus.verified.rawValue:
            return ("已核实：\(entry.name)" + (entry.certificateNumber.map { "（证书 \($0)）" } ?? ""), id)
        case .add where entry.status == EntryStatus.verified.rawValue:
            return ("已新增并核实：\(entry.name)", id)
        case .reject where entry.status == EntryStatus.rejected.rawValue:
            let reason = entry.reason.flatMap(RejectionReason.init(rawValue:))?.label
            return ("已不予认定：\(entry.name)" + (reason.map { "（\($0)）" } ?? ""), id)
        default: return nil
        }
    }

    @Sendable func countyPage(request: Request) async throws -> View {
        let (view, list) = try await county(request, lastPageIfBeyond: true)
        let notice = try await notice(request, view: view)
        let q = (try? request.query.get(String.self, at: "q")) ?? ""
        let perPage = list.perPage == IntegrationEntryList.pageSize ? nil : String(list.perPage)
        func filters(status: IntegrationEntryList.Filter, keepSearch: Bool = true) -> [URLQueryItem] {
            .init(["county": view.county, "status": status == .all ? nil : status.rawValue, "q": keepSearch && !q.isEmpty ? q : nil,
                   "perPage": perPage])
        }
        let page = SiteURL.integration(.county(.value(view.batch.id)))
        let figures = view.batch
        let counts: [IntegrationEntryList.Filter: Int] = [
            .all: figures.allocated + figures.added, .pending: figures.pending, .verified: figures.verified,
            .rejected: figures.rejected, .conflict: figures.conflicts, .added: figures.added,
        ]
        let mayVerify = view.actions.mayVerify
        let checkable = mayVerify ? view.entries.filter(\.isPending).map(\.id) : []
        return try await request.renderPage("integration-county", CountyPage(
            pageTitle: "\(view.countyName) · \(view.batch.project) \(view.batch.year)年", view: view, hasEntries: !view.entries.isEmpty,
            reasons: RejectionReason.allCases.map { .init(value: $0.rawValue, label: $0.label) },
            tabs: IntegrationEntryList.Filter.allCases.map {
                .init(label: $0.label, count: counts[$0] ?? 0, url: page.path(adding: filters(status: $0, keepSearch: false)), current: $0 == list.filter)
            },
            q: q, hasSearch: !q.isEmpty, statusFilter: list.filter == .all ? nil : list.filter.rawValue, isFiltered: list.isFiltered,
            pager: PageBar(page: view.page, pageCount: view.pageCount, list: page, keeping: filters(status: list.filter)),
            entries: view.entries.enumerated().map { index, entry in
                Linked(entry, EntryLinks(anchor: "entry-\(entry.id)",
                                         verifyURL: SiteURL.integration(.entry(.value(entry.id), .verify)).path,
                                         rejectURL: SiteURL.integration(.entry(.value(entry.id), .reject)).path,
                                         nextID: index + 1 < view.entries.count ? view.entries[index + 1].id : nil,
                                         justDone: entry.id == notice?.entry, checkable: mayVerify && entry.isPending))
            },
            links: BatchLinks(batchID: view.batch.id, county: view.county), notice: notice?.text,
            bulk: checkable.isEmpty ? nil : Bulk(
                url: SiteURL.integration(.bulkVerify(.value(view.batch.id))).path, checkable: checkable, count: checkable.count,
                confirm: "核实勾选的人员？它们将记为“已核实”，证书编号记为“\(BulkVerification.certificateOnPaper)”；有冲突、未登记学校或已处理的人员不会改动。")))
    }

    /// Web forms answer with the county page again, at the row acted on (`#entry-12`) with the
    /// same tab, search and page, and say what was done; refusals become a 422 page.
    /// - Parameters:
    ///   - done: what the form did, and to which entry, for the message and the row to return to.
    func back(_ request: Request, batchID: Int, _ done: Done, _ work: () async throws -> IntegrationEntryModel?) async throws -> Response {
        let entry: IntegrationEntryModel?
        do {
            entry = try await work()
        } catch let refusal as InputRefusal {
            throw AppError(.unprocessableEntity, code: refusal.code, refusal.message)
        }
        var items = [URLQueryItem(name: "done", value: done.rawValue)]
        var fragment = ""
        if let entry, let id = entry.id {
            items.append(URLQueryItem(name: "entry", value: String(id)))
            // An entry that leaves the tab it was on (核实 on 待核实) returns to the row that followed it.
            let filter = refererItems(request, batchID: batchID).last { $0.name == "status" }?.value
                .flatMap(IntegrationEntryList.Filter.init(rawValue:)) ?? .all
            let stays = filter.includes(status: entry.status, added: entry.added, conflict: entry.conflict)
            let next = try? request.content.get(Int?.self, at: "next")
            fragment = "entry-\(stays ? id : (next ?? id))"
        }
        return redirectBack(request, batchID: batchID, adding: items, fragment: fragment)
    }

    /// The query of the worklist page the form was on (its tab, search and page), without what
    /// an earlier form's redirect added.
    func refererItems(_ request: Request, batchID: Int) -> [URLQueryItem] {
        let page = SiteURL.integration(.county(.value(batchID)))
        let referer = request.headers.first(name: .referer).flatMap(URLComponents.init(string:))
        var items = referer.flatMap { $0.path == page.path ? $0.queryItems : nil } ?? []
        items.removeAll { Done.queryNames.contains($0.name) }
        return items
    }

    /// Back to the page the form was on, with its filter, search and page kept, and `fragment` (a row's id).
    func redirectBack(_ request: Request, batchID: Int, adding items: [URLQueryItem], fragment: String) -> Response {
        let page = SiteURL.integration(.county(.value(batchID)))
        let path = page.path(adding: refererItems(request, batchID: batchID) + items)
        return request.redirect(to: path + (fragment.isEmpty ? "" : "#" + fragment), redirectType: .normal)
    }
}
