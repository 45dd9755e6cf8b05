import Fluent
import Foundation
import PeixunCore
import Vapor

/// 后台任务 list: a user's own jobs, newest first (the province sees everyone's, with who
/// started them), 50 to a page; and running a failed job again where that is safe.
extension JobsController {
    static let listPageSize = 50

    struct ListDTO: Content {
        struct Row: Content {
            let job: JobDTO
            /// Who started it.
            let owner: String
        }
        let total: Int
        let page: Int
        let pageSize: Int
        let pageCount: Int
        let jobs: [Row]
    }

    func bootList(routes: any RoutesBuilder) {
        routes.get(.jobs(.list()), use: listPage)
        routes.get(.jobs(.apiList()), use: listAPI)
        routes.post(.jobs(.retry(.key)), use: retryForm)
        routes.post(.jobs(.apiRetry(.key)), use: retryAPI)
    }

    private func list(_ request: Request) async throws -> ListDTO {
        let user = try request.requireUser()
        let number = try Paging.number(request.query[String.self, at: "page"], name: "页码")
        var query = JobModel.query(on: request.db)
        if !user.isTopOffice { query = query.filter(\.$ownerID == user.id) }
        let total = try await query.copy().count()
        let paging = Paging(page: number, size: Self.listPageSize)
        // A page past the end is read as the last one, as the other lists do.
        let page = min(paging.page, paging.pageCount(total: total))
        let jobs = try await query.sort(\.$id, .descending).range(((page - 1) * paging.size)..<(page * paging.size)).all()
        let ownerIDs = Set(jobs.map(\.ownerID))
        var names: [Int: String] = [:]
        if !ownerIDs.isEmpty {
            for owner in try await UserModel.query(on: request.db).filter(\.$id ~~ Array(ownerIDs)).all() {
                names[owner.id!] = owner.displayName.isEmpty ? owner.username : "\(owner.displayName)（\(owner.username)）"
            }
        }
        return ListDTO(total: total, page: page, pageSize: paging.size, pageCount: paging.pageCount(total: total),
                       jobs: try jobs.map { ListDTO.Row(job: try JobDTO($0, app: request.application), owner: names[$0.ownerID] ?? "") })
    }

    @Sendable func listAPI(request: Request) async throws -> ListDTO {
        try await list(request)
    }

    @Sendable func listPage(request: Request) async throws -> Response {
        let list = try await list(request)
        let user = try request.requireUser()
        let formatter = AuditController.timeFormatter()
        let rows = list.jobs.map { JobListPage.Row($0, formatter: formatter) }
        let page = JobListPage(
            list: list, rows: rows, hasRows: !rows.isEmpty, showsOwner: user.isTopOffice,
            running: rows.contains { $0.running },
            pager: PageBar(page: list.page, pageCount: list.pageCount, list: .jobs(.list()), keeping: []))
        let response = try await request.renderPage("jobs", page).encodeResponse(for: request)
        // While something runs the list refreshes itself, as one job's page does.
        if page.running { response.headers.replaceOrAdd(name: "Refresh", value: String(page.refreshSeconds)) }
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    /// Queues a failed job again, as it was (the owner only, and only a kind that may run again).
    private func retry(_ request: Request) async throws -> JobModel {
        let user = try request.requireUser()
        guard let id = request.parameters.get(.jobID, as: Int.self), let job = try await JobModel.find(id, on: request.db),
              job.ownerID == user.id || user.isTopOffice else { throw AppError.notFound("任务") }
        guard job.ownerID == user.id else {
            throw AppError(.forbidden, code: "job.retry_owner", "只有发起该任务的用户可以重试")
        }
        guard try job.storedState() == .failed else {
            throw AppError(.conflict, code: "job.not_failed", "该任务不是“未完成”状态，无需重试")
        }
        guard job.retryable, JobKind.named(job.kind) != nil else {
            throw AppError(.conflict, code: "job.not_retryable", "该任务不能原样重做，请回到原页面重新发起")
        }
        // Conditioned on still being failed, so that two clicks queue it once.
        try await JobModel.query(on: request.db).filter(\.$id == id).filter(\.$state == JobModel.State.failed.rawValue)
            .set(\.$state, to: JobModel.State.queued.rawValue).set(\.$attempts, to: 0).set(\.$error, to: nil)
            .set(\.$finishedAt, to: nil).set(\.$lockedBy, to: nil).set(\.$done, to: 0).set(\.$total, to: 0)
            .set(\.$phase, to: "已重新排队（用户重试）").update()
        try await AuditLog.record(on: request.db, actor: AuditLog.Actor(request), action: .update, objectType: "job", objectID: String(id),
                                  summary: "重试后台任务：\(JobKind.named(job.kind)?.label ?? job.kind)（原因：\(job.error ?? "未注明")）")
        return try await JobModel.find(id, on: request.db) ?? job
    }

    @Sendable func retryForm(request: Request) async throws -> Response {
        let job = try await retry(request)
        return request.redirect(to: SiteURL.jobs(.page(.value(job.id!))).path)
    }

    @Sendable func retryAPI(request: Request) async throws -> Response {
        let job = try await retry(request)
        return try await JobDTO(job, app: request.application).encodeResponse(status: .accepted, for: request)
    }
}

/// The list page: one row per job, its state, progress, times, reason and result link.
struct JobListPage: Encodable, Sendable {
    struct Row: Encodable, Sendable {
        let id: Int
        let kindLabel: String
        let state: String
        let stateLabel: String
        let running: Bool
        let percent: Int?
        let phase: String
        let owner: String
        let createdAt: String
        let startedAt: String
        let finishedAt: String
        let error: String?
        let pageURL: String
        let fileURL: String?

        init(_ row: JobsController.ListDTO.Row, formatter: DateFormatter) {
            let job = row.job
            id = job.id
            kindLabel = job.kindLabel
            state = job.state
            stateLabel = job.stateLabel
            running = job.state == JobModel.State.queued.rawValue || job.state == JobModel.State.running.rawValue
            percent = job.fraction.map { Int(($0 * 100).rounded(.down)) }
            phase = job.phase
            owner = row.owner
            createdAt = formatter.string(from: job.createdAt)
            startedAt = job.startedAt.map(formatter.string) ?? "—"
            finishedAt = job.finishedAt.map(formatter.string) ?? "—"
            error = job.error
            pageURL = job.pageURL
            fileURL = job.fileURL
        }
    }

    let pageTitle = "后台任务"
    let list: JobsController.ListDTO
    let rows: [Row]
    let hasRows: Bool
    let showsOwner: Bool
    let running: Bool
    let pager: PageBar
    /// Slower than one job's page: a list is heavier and its rows change less often.
    let refreshSeconds = JobsController.refreshSeconds * 5
}
