import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import SQLKit
import Vapor

/// 合作项目整合: the batches, and a county's list with verify / reject / add / submit, on the
/// web and in the API. Every response says what the caller may do next.
struct IntegrationController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.integration(.batches), use: batchesPage)
        routes.get(.integration(.county(.key)), use: countyPage)
        routes.post(.integration(.entry(.key, .verify)), use: verifyForm)
        routes.post(.integration(.entry(.key, .reject)), use: rejectForm)
        routes.post(.integration(.add(.key)), use: addForm)
        routes.post(.integration(.submit(.key)), use: submitForm)
        routes.get(.integration(.feedbackWorkbook(.key)), use: feedbackDownload)
        routes.upload(.integration(.feedback(.key)), use: feedbackUpload)
        routes.upload(.integration(.apiFeedback(.key)), use: apiFeedback)
        routes.get(.integration(.apiBatches), use: apiBatches)
        routes.get(.integration(.apiEntries(.key)), use: apiEntries)
        routes.post(.integration(.apiEntry(.key, .verify)), use: apiVerify)
        routes.post(.integration(.apiEntry(.key, .reject)), use: apiReject)
        routes.post(.integration(.apiEntries(.key)), use: apiAdd)
        routes.post(.integration(.apiSubmit(.key)), use: apiSubmit)
    }

    private func service(_ request: Request) throws -> CountyVerification {
        let user = try request.requireUser()
        guard [.province, .city, .county].contains(user.role) else { throw AppError.notFound() }
        return CountyVerification(database: request.db, regions: request.application.regions, user: user, actor: .init(request), clock: request.clock)
    }

    private func dashboard(_ request: Request) throws -> IntegrationDashboard {
        IntegrationDashboard(sql: request.sql, regions: request.application.regions, user: try service(request).user)
    }

    struct BatchesPage: Encodable, Sendable {
        let pageTitle = "合作项目整合"
        let batches: [Linked<IntegrationDashboard.BatchStatus, RowURL>]
        let hasBatches: Bool
        let isCounty: Bool
        let mayImport: Bool
        let summaryURL = SiteURL.integration(.summary()).path
        let projectsURL = SiteURL.projects(.page()).path
        let importURL = SiteURL.imports(.form(.integration)).path
    }

    @Sendable func batchesPage(request: Request) async throws -> View {
        let list = try await dashboard(request).batches(today: request.clock.today())
        let role = try request.requireUser().role
        // The city and the province see each batch's overview; a county its own list.
        let batches = list.map { batch in
            Linked(batch, url: .integration(role == .county ? .county(.value(batch.id)) : .overview(.value(batch.id))))
        }
        return try await request.renderPage("integration", BatchesPage(batches: batches, hasBatches: !list.isEmpty, isCounty: role == .county,
                                                                       mayImport: role == .province))
    }

    @Sendable func apiBatches(request: Request) async throws -> [IntegrationDashboard.BatchStatus] {
        try await dashboard(request).batches(today: request.clock.today())
    }

    struct EntryDTO: Content {
        let id: Int
        let sequence: Int
        let name: String
        let residentID: String
        let phone: String?
        let school: String?
        let status: String
        let statusLabel: String
        let added: Bool
        let conflict: String?
        let conflictLabel: String?
        let certificateNumber: String?
        let reason: String?
        let reasonLabel: String?
        let note: String?
        let isPending: Bool
    }

    struct CountyDTO: Content {
        let batch: IntegrationDashboard.BatchStatus
        let county: String
        let countyName: String
        let state: String
        let stateLabel: String
        let actions: WorkflowActions
        let openConflicts: Int
        /// The filter applied (`status`), the entries that match it, and this page of them.
        let filter: String
        let total: Int
        let page: Int
        let pageCount: Int
        let entries: [EntryDTO]
    }

    private func county(_ request: Request) async throws -> (view: CountyDTO, list: IntegrationEntryList) {
        let service = try service(request)
        let regions = request.application.regions
        let code = try request.query.get(String?.self, at: "county") ?? service.user.regionCode ?? ""
        guard let region = regions.region(code: code), region.level == .county,
              service.user.scope.contains(regionCode: region.code, in: regions) else { throw AppError.notFound("县(市、区)") }
        guard let batchID = request.parameters.get(.batchID, as: Int.self),
              let batch = try await dashboard(request).batches(region: region, only: batchID, today: request.clock.today()).first else { throw AppError.notFound("整合批次") }
        let list = try IntegrationEntryList(try request.query.decode(IntegrationEntryList.Query.self), today: request.clock.today())
        try await list.term?.auditIfWholeID(request, in: "整合核实名单")
        let (entries, total) = try await list.fetch(on: request.sql, batchID: batchID, county: region.code, scope: service.user.scope)
        let state = try batch.state.map { try ApprovalState.read($0, table: SubmissionModel.schema, row: nil, column: "state") } ?? .open
        return (CountyDTO(
            batch: batch, county: region.code, countyName: region.name, state: state.rawValue, stateLabel: state.label,
            actions: try await service.actions(batchID: batchID, county: region.code, on: request.db),
            openConflicts: batch.conflicts, filter: list.filter.rawValue, total: total, page: list.page,
            pageCount: Paging(page: list.page, size: list.perPage).pageCount(total: total), entries: entries), list)
    }

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
        let previousURL: String?
        let nextURL: String?
        let entries: [Linked<EntryDTO, EntryLinks>]
        let links: BatchLinks
        /// What the last form did ("已核实：张三"), shown above the list after the redirect.
        let notice: String?
    }

    /// `anchor` is the row's `id` (`entry-12`), where a form's redirect returns to; `nextID` the
    /// row below it, the place to return to when the entry leaves the current tab.
    struct EntryLinks: Encodable, Sendable {
        let anchor: String
        let verifyURL: String
        let rejectURL: String
        let nextID: Int?
        let justDone: Bool
    }

    /// What a form on the worklist did, carried by the redirect (`done=verify&entry=12`) so the
    /// page can say so; the name is read again under the user's scope, never from the URL.
    enum Done: String {
        case verify, reject, add, submit
        static let queryNames = ["done", "entry"]
    }

    private func notice(_ request: Request, view: CountyDTO) async throws -> (text: String, entry: Int?)? {
        guard let done = (try? request.query.get(String.self, at: "done")).flatMap(Done.init(rawValue:)) else { return nil }
        if done == .submit { return view.state == ApprovalState.submitted.rawValue ? ("已提交本县名单，等待市(州)审核。", nil) : nil }
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
        let (view, list) = try await county(request)
        let notice = try await notice(request, view: view)
        let q = (try? request.query.get(String.self, at: "q")) ?? ""
        func url(status: IntegrationEntryList.Filter, page: Int = 1, keepSearch: Bool = true) -> String {
            var items = [URLQueryItem(name: "county", value: view.county)]
            if status != .all { items.append(URLQueryItem(name: "status", value: status.rawValue)) }
            if keepSearch && !q.isEmpty { items.append(URLQueryItem(name: "q", value: q)) }
            if page > 1 { items.append(URLQueryItem(name: "page", value: String(page))) }
            return SiteURL.integration(.county(.value(view.batch.id))).path(adding: items)
        }
        let figures = view.batch
        let counts: [IntegrationEntryList.Filter: Int] = [
            .all: figures.allocated + figures.added, .pending: figures.pending, .verified: figures.verified,
            .rejected: figures.rejected, .conflict: figures.conflicts, .added: figures.added,
        ]
        return try await request.renderPage("integration-county", CountyPage(
            pageTitle: "\(view.countyName) · \(view.batch.project) \(view.batch.year)年", view: view, hasEntries: !view.entries.isEmpty,
            reasons: RejectionReason.allCases.map { .init(value: $0.rawValue, label: $0.label) },
            tabs: IntegrationEntryList.Filter.allCases.map {
                .init(label: $0.label, count: counts[$0] ?? 0, url: url(status: $0, keepSearch: false), current: $0 == list.filter)
            },
            q: q, hasSearch: !q.isEmpty, statusFilter: list.filter == .all ? nil : list.filter.rawValue, isFiltered: list.isFiltered,
            previousURL: view.page > 1 ? url(status: list.filter, page: view.page - 1) : nil,
            nextURL: view.page < view.pageCount ? url(status: list.filter, page: view.page + 1) : nil,
            entries: view.entries.enumerated().map { index, entry in
                Linked(entry, EntryLinks(anchor: "entry-\(entry.id)",
                                         verifyURL: SiteURL.integration(.entry(.value(entry.id), .verify)).path,
                                         rejectURL: SiteURL.integration(.entry(.value(entry.id), .reject)).path,
                                         nextID: index + 1 < view.entries.count ? view.entries[index + 1].id : nil,
                                         justDone: entry.id == notice?.entry))
            },
            links: BatchLinks(batchID: view.batch.id, county: view.county), notice: notice?.text))
    }

    @Sendable func apiEntries(request: Request) async throws -> CountyDTO {
        try await county(request).view
    }

    private func entryID(_ request: Request) throws -> Int {
        guard let id = request.parameters.get(.entryID, as: Int.self) else { throw AppError.notFound("名单条目") }
        return id
    }

    private func batch(_ request: Request) async throws -> IntegrationBatchModel {
        guard let id = request.parameters.get(.batchID, as: Int.self),
              let batch = try await IntegrationBatchModel.find(id, on: request.db) else { throw AppError.notFound("整合批次") }
        return batch
    }

    /// Web forms answer with the county page again, at the row acted on (`#entry-12`) with the
    /// same tab, search and page, and say what was done; refusals become a 422 page.
    /// - Parameters:
    ///   - done: what the form did, and to which entry, for the message and the row to return to.
    private func back(_ request: Request, batchID: Int, _ done: Done, _ work: () async throws -> IntegrationEntryModel?) async throws -> Response {
        let entry: IntegrationEntryModel?
        do {
            entry = try await work()
        } catch let refusal as InputRefusal {
            throw AppError(.unprocessableEntity, code: refusal.code, refusal.message)
        }
        // Back to the page the form was on, with its filter, search and page kept.
        let page = SiteURL.integration(.county(.value(batchID)))
        let referer = request.headers.first(name: .referer).flatMap(URLComponents.init(string:))
        var items = referer.flatMap { $0.path == page.path ? $0.queryItems : nil } ?? []
        items.removeAll { Done.queryNames.contains($0.name) }
        items.append(URLQueryItem(name: "done", value: done.rawValue))
        var fragment = ""
        if let entry, let id = entry.id {
            items.append(URLQueryItem(name: "entry", value: String(id)))
            // An entry that leaves the tab it was on (核实 on 待核实) returns to the row that followed it.
            let filter = items.last { $0.name == "status" }?.value.flatMap(IntegrationEntryList.Filter.init(rawValue:)) ?? .all
            let stays = filter.includes(status: entry.status, added: entry.added, conflict: entry.conflict)
            let next = try? request.content.get(Int?.self, at: "next")
            fragment = "#entry-\(stays ? id : (next ?? id))"
        }
        return request.redirect(to: page.path(adding: items) + fragment, redirectType: .normal)
    }

    @Sendable func verifyForm(request: Request) async throws -> Response {
        let service = try service(request)
        let input = try request.content.decode(CountyVerification.Verify.self)
        let entry = try await service.entry(try entryID(request), on: request.db)
        return try await back(request, batchID: entry.batchID, .verify) { try await service.verify(entry.id!, input) }
    }

    @Sendable func rejectForm(request: Request) async throws -> Response {
        let service = try service(request)
        let input = try request.content.decode(CountyVerification.Reject.self)
        let entry = try await service.entry(try entryID(request), on: request.db)
        return try await back(request, batchID: entry.batchID, .reject) { try await service.reject(entry.id!, input) }
    }

    @Sendable func addForm(request: Request) async throws -> Response {
        let service = try service(request)
        let batch = try await batch(request)
        let input = try request.content.decode(CountyVerification.Addition.self)
        return try await back(request, batchID: batch.id!, .add) { try await service.add(batchID: batch.id!, projectID: batch.projectID, input) }
    }

    @Sendable func submitForm(request: Request) async throws -> Response {
        let service = try service(request)
        let batch = try await batch(request)
        return try await back(request, batchID: batch.id!, .submit) { try await service.submit(batchID: batch.id!); return nil }
    }

    @Sendable func apiVerify(request: Request) async throws -> EntryResult {
        let entry = try await service(request).verify(try entryID(request), try request.content.decode(CountyVerification.Verify.self))
        return EntryResult(id: entry.id!, status: entry.status)
    }

    @Sendable func apiReject(request: Request) async throws -> EntryResult {
        let entry = try await service(request).reject(try entryID(request), try request.content.decode(CountyVerification.Reject.self))
        return EntryResult(id: entry.id!, status: entry.status)
    }

    @Sendable func apiAdd(request: Request) async throws -> Response {
        let batch = try await batch(request)
        let entry = try await service(request).add(batchID: batch.id!, projectID: batch.projectID,
                                                   try request.content.decode(CountyVerification.Addition.self))
        return try await EntryResult(id: entry.id!, status: entry.status).encodeResponse(status: .created, for: request)
    }

    @Sendable func apiSubmit(request: Request) async throws -> CountyDTO {
        let batch = try await batch(request)
        _ = try await service(request).submit(batchID: batch.id!)
        return try await county(request).view
    }

    /// 参训合格教师信息反馈表 of one county, in the list's order, additions last.
    @Sendable func feedbackDownload(request: Request) async throws -> Response {
        let view = try await county(request).view
        let batch = try await batch(request)
        let entries = try await IntegrationEntryModel.query(on: request.db).filter(\.$batchID == batch.id!).filter(\.$countyCode == view.county)
            .sort(\.$added).sort(\.$sequence).all()
        let path = NSTemporaryDirectory() + "peixun-feedback-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FeedbackTable.write(entries: entries, countyName: view.countyName, year: batch.year, project: view.batch.project, to: path)
        let region = AuditLog.regionColumns(view.county, directory: request.application.regions)
        try await AuditLog.record(on: request.db, actor: .init(request), action: .export, objectType: "integration_feedback", objectID: String(batch.id!),
                                  countyCode: region.county, cityCode: region.city,
                                  summary: "下载\(view.countyName)参训合格教师信息反馈表（\(entries.count) 人）")
        return try TableDownload.file(at: path, fileName: "\(view.countyName)参训合格教师信息反馈表-\(view.batch.project)-\(batch.year)",
                                      asciiFileName: "feedback-\(batch.id!)-\(view.county)")
    }

    struct FeedbackPage: Encodable, Sendable {
        let pageTitle = "反馈表导入结果"
        let links: BatchLinks
        let outcome: FeedbackTable.Outcome
        let hasErrors: Bool
        let hasDifferences: Bool
        let hasNotReturned: Bool
    }

    static let maxFeedbackUpload = 16 * 1_048_576

    /// Checks who is asking before a byte of the file is read, then receives it as `receive` says.
    private func applyFeedback(_ request: Request, dryRun: (ReceivedUpload) -> Bool,
                               receive: () async throws -> ReceivedUpload) async throws -> (Int, FeedbackTable.Outcome) {
        let service = try service(request)
        let batch = try await batch(request)
        guard service.user.role == .county else { throw AppError(.forbidden, code: "integration.not_county", "只有县(市、区)可以上传本县反馈表") }
        let received = try await receive()
        defer { received.remove() }
        let dryRun = dryRun(received)
        do {
            return (batch.id!, try await FeedbackTable.apply(url: received.url, fileName: ImportController.safeName(received.fileName),
                                                             batch: batch, verification: service, dryRun: dryRun))
        } catch let error as SheetError {
            throw AppError(.unprocessableEntity, code: error.code.rawValue, error.message)
        } catch let refusal as InputRefusal {
            throw AppError(.unprocessableEntity, code: refusal.code, refusal.message)
        }
    }

    @Sendable func feedbackUpload(request: Request) async throws -> View {
        let (batchID, outcome) = try await applyFeedback(request, dryRun: { $0.fields["dryRun"] == "1" }) {
            try await request.application.uploads.receiveForm(of: request, limit: Self.maxFeedbackUpload)
        }
        return try await request.renderPage("integration-feedback", FeedbackPage(
            links: BatchLinks(batchID: batchID), outcome: outcome, hasErrors: !outcome.errors.isEmpty, hasDifferences: !outcome.differences.isEmpty,
            hasNotReturned: !outcome.notReturned.isEmpty))
    }

    /// `POST /api/v1/integration/:batchID/feedback?dryRun=true` with the filled table as the body.
    @Sendable func apiFeedback(request: Request) async throws -> FeedbackTable.Outcome {
        let dryRun = (try? request.query.get(Bool.self, at: "dryRun")) ?? false
        return try await applyFeedback(request, dryRun: { _ in dryRun }) {
            try await request.application.uploads.receiveBody(of: request, limit: Self.maxFeedbackUpload,
                                              fileName: request.headers.first(name: "X-File-Name") ?? "feedback.xlsx")
        }.1
    }

    struct EntryResult: Content {
        let id: Int
        let status: String
    }
}
