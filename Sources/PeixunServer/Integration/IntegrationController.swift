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
        routes.post(.integration(.bulkVerify(.key)), use: bulkVerifyForm)
        routes.post(.integration(.apiBulkVerify(.key)), use: apiBulkVerify)
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

    func service(_ request: Request) throws -> CountyVerification {
        let user = try request.requireUser()
        guard [.province, .city, .county].contains(user.role) else { throw AppError.notFound() }
        return CountyVerification(database: request.db, regions: request.application.regions, user: user, actor: .init(request), clock: request.clock)
    }

    func dashboard(_ request: Request) throws -> IntegrationDashboard {
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
        let user = try request.requireUser()
        let role = user.role
        // The city and the province see each batch's overview; a county its own list.
        let batches = list.map { batch in
            Linked(batch, url: .integration(role == .county ? .county(.value(batch.id)) : .overview(.value(batch.id))))
        }
        return try await request.renderPage("integration", BatchesPage(batches: batches, hasBatches: !list.isEmpty, isCounty: role == .county,
                                                                       mayImport: user.isTopOffice))
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

    /// - Parameter lastPageIfBeyond: a page past the end shows the last one (the web page; the
    ///   API answers an empty page, which is where a client's loop stops).
    func county(_ request: Request, lastPageIfBeyond: Bool = false) async throws -> (view: CountyDTO, list: IntegrationEntryList) {
        let service = try service(request)
        let regions = request.application.regions
        let code = try request.query.get(String?.self, at: "county") ?? service.user.regionCode ?? ""
        guard let region = regions.region(code: code), region.level == .county,
              service.user.scope.contains(regionCode: region.code, in: regions) else { throw AppError.notFound("县(市、区)") }
        guard let batchID = request.parameters.get(.batchID, as: Int.self) else { throw AppError.notFound("整合批次") }
        var list = try IntegrationEntryList(try request.query.decode(IntegrationEntryList.Query.self), today: request.clock.today())
        // The batch's figures, the page and the county's actions side by side: one after the
        // other they were six round trips, each dearer on PostgreSQL than SQLite's (bench/README.md).
        let asked = list
        async let found = dashboard(request).batches(region: region, only: batchID, today: request.clock.today())
        async let page = asked.fetch(on: request.sql, batchID: batchID, county: region.code, scope: service.user.scope)
        async let actions = service.actions(batchID: batchID, county: region.code, on: request.db)
        guard let batch = try await found.first else { throw AppError.notFound("整合批次") }
        try await list.term?.auditIfWholeID(request, in: "整合核实名单")
        var (entries, total) = try await page
        let last = Paging(page: list.page, size: list.perPage).pageCount(total: total)
        if lastPageIfBeyond, entries.isEmpty, list.page > last {
            list.page = last
            (entries, total) = try await list.fetch(on: request.sql, batchID: batchID, county: region.code, scope: service.user.scope)
        }
        let state = try batch.state.map { try ApprovalState.read($0, table: SubmissionModel.schema, row: nil, column: "state") } ?? .open
        return (CountyDTO(
            batch: batch, county: region.code, countyName: region.name, state: state.rawValue, stateLabel: state.label,
            actions: try await actions,
            openConflicts: batch.conflicts, filter: list.filter.rawValue, total: total, page: list.page,
            pageCount: Paging(page: list.page, size: list.perPage).pageCount(total: total), entries: entries), list)
    }

    @Sendable func apiEntries(request: Request) async throws -> CountyDTO {
        try await county(request).view
    }

    func entryID(_ request: Request) throws -> Int {
        guard let id = request.parameters.get(.entryID, as: Int.self) else { throw AppError.notFound("名单条目") }
        return id
    }

    func batch(_ request: Request) async throws -> IntegrationBatchModel {
        guard let id = request.parameters.get(.batchID, as: Int.self),
              let batch = try await IntegrationBatchModel.find(id, on: request.db) else { throw AppError.notFound("整合批次") }
        return batch
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
