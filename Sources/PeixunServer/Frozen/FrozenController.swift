import Fluent
import Foundation
import PeixunCore
import Vapor

/// 已审核表格: the snapshots the approvals kept, each with the cells that changed since
/// (region row, column, approved → now) and its workbook as approved. A user sees the
/// snapshots of regions in their scope (the province all, a city its own).
struct FrozenController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.frozen(.page()), use: page)
        routes.get(.frozen(.show(.key)), use: show)
        routes.get(.frozen(.download(.key)), use: download)
        routes.get(.frozen(.api()), use: apiList)
        routes.get(.frozen(.apiShow(.key)), use: apiShow)
    }

    struct Summary: Content {
        let id: Int
        let kind: String
        let kindLabel: String
        let subject: Int
        /// The year the table reports: the subject for Appendix 1 and 3, the batch's year for a summary.
        let year: Int
        let title: String
        let region: ProgressDTO.RegionRef
        let approvedBy: String
        let approverName: String
        let approvedAt: Date
        /// Whether the approval still stands (not reopened since).
        let current: Bool
        let reopenedAt: Date?
        let url: String
        let downloadURL: String
    }

    struct Change: Content {
        let code: String
        let name: String
        let column: String
        let approved: String?
        let now: String?
        /// Who last changed the row's data after the approval, and when (`FrozenEdits`).
        let changedBy: String?
        let changedAt: Date?
    }

    struct Detail: Content {
        let snapshot: Summary
        let columns: [String]
        let rows: [FrozenGrid.Row]
        let changes: [Change]
    }

    private func user(_ request: Request) throws -> CurrentUser {
        let user = try request.requireUser()
        guard [.province, .city, .county].contains(user.role) else { throw AppError.notFound() }
        return user
    }

    private func summary(_ model: FrozenTableModel, regions: RegionDirectory, batchYears: [Int: Int]) -> Summary {
        let id = model.id ?? 0
        return Summary(id: id, kind: model.kind, kindLabel: model.frozenKind?.label ?? model.kind, subject: model.subjectID,
                       year: model.frozenKind == .summary ? batchYears[model.subjectID] ?? 0 : model.subjectID, title: model.title,
                       region: .init(code: model.regionCode, name: regions.region(code: model.regionCode)?.name ?? model.regionCode),
                       approvedBy: model.approvedBy, approverName: model.approverName, approvedAt: model.approvedAt,
                       current: model.reopenedAt == nil, reopenedAt: model.reopenedAt,
                       url: SiteURL.frozen(.show(.value(id))).path, downloadURL: SiteURL.frozen(.download(.value(id))).path)
    }

    private func batchYears(_ models: [FrozenTableModel], on db: any Database) async throws -> [Int: Int] {
        let ids = Set(models.filter { $0.frozenKind == .summary }.map(\.subjectID))
        guard !ids.isEmpty else { return [:] }
        return Dictionary(try await IntegrationBatchModel.query(on: db).filter(\.$id ~~ ids).all().map { ($0.id ?? 0, $0.year) }) { first, _ in first }
    }

    private func list(_ request: Request) async throws -> [Summary] {
        let user = try user(request)
        let regions = request.application.regions
        let kind = try request.query.get(String?.self, at: "kind").flatMap { $0.isEmpty ? nil : $0 }
        if let kind, FrozenKind(rawValue: kind) == nil {
            throw AppError(.unprocessableEntity, code: "kind.unknown", "表格类别无效：\(kind)（可选 \(FrozenKind.allCases.map(\.rawValue).joined(separator: "、"))）")
        }
        var query = FrozenTableModel.query(on: request.db).sort(\.$approvedAt, .descending).sort(\.$id, .descending)
        if let kind { query = query.filter(\.$kind == kind) }
        let year = try request.query.get(Int?.self, at: "year")
        let models = try await query.all().filter { user.scope.contains(regionCode: $0.regionCode, in: regions) }
        let years = try await batchYears(models, on: request.db)
        return models.map { summary($0, regions: regions, batchYears: years) }.filter { year == nil || $0.year == year }
    }

    /// The snapshot if the user may see it; anything else is "not found", as everywhere.
    private func snapshot(_ request: Request) async throws -> FrozenTableModel {
        let user = try user(request)
        guard let id = request.parameters.get(.snapshotID, as: Int.self), let model = try await FrozenTableModel.find(id, on: request.db),
              user.scope.contains(regionCode: model.regionCode, in: request.application.regions) else {
            throw AppError.notFound("已审核表格")
        }
        return model
    }

    private func detail(_ request: Request, _ model: FrozenTableModel) async throws -> Detail {
        let regions = request.application.regions
        guard let kind = model.frozenKind, let region = regions.region(code: model.regionCode) else { throw AppError.notFound("已审核表格") }
        let approved = try model.decodedGrid()
        let live = try await FrozenTables(database: request.db, regions: regions).live(kind, subject: model.subjectID, region: region)
        let edits = try await FrozenEdits(database: request.db, regions: regions).last(model, kind: kind, region: region)
        // The total row changes with its rows: its last change is the latest of theirs.
        let latest = edits.values.max { $0.at < $1.at }
        let changes = approved.changes(to: live.grid).map {
            let edit = edits[$0.key] ?? ($0.key == approved.rows.last?.key ? latest : nil)
            return Change(code: $0.key, name: $0.name, column: $0.column, approved: $0.before, now: $0.after, changedBy: edit?.by, changedAt: edit?.at)
        }
        return Detail(snapshot: summary(model, regions: regions, batchYears: try await batchYears([model], on: request.db)), columns: approved.columns, rows: approved.rows, changes: changes)
    }

    @Sendable func apiList(request: Request) async throws -> [Summary] {
        try await list(request)
    }

    @Sendable func apiShow(request: Request) async throws -> Detail {
        try await detail(request, try await snapshot(request))
    }

    @Sendable func page(request: Request) async throws -> View {
        let snapshots = try await list(request)
        let kind = try request.query.get(String?.self, at: "kind"), year = try request.query.get(Int?.self, at: "year")
        let years = YearTab.bar(try await ReportingYears.choices(on: request.sql), showing: year ?? 0) { .frozen(.page(kind: kind, year: $0)) }
        return try await request.renderPage("frozen", FrozenListPage(snapshots: snapshots, years: years, allURL: SiteURL.frozen(.page(kind: kind)).path))
    }

    @Sendable func show(request: Request) async throws -> View {
        let detail = try await detail(request, try await snapshot(request))
        return try await request.renderPage("frozen-show", FrozenShowPage(detail))
    }

    /// The workbook as approved, in the live export's layout; every download is audited.
    @Sendable func download(request: Request) async throws -> Response {
        let model = try await snapshot(request)
        let region = request.application.regions.region(code: model.regionCode)
        try await AuditLog.record(on: request.db, actor: AuditLog.Actor(request), action: .export, objectType: "frozen_table",
                                  objectID: String(model.id ?? 0), cityCode: region?.level == .city ? region?.code : nil,
                                  summary: "下载已审核表格：\(model.title)（\(model.approverName)审核）")
        let path = NSTemporaryDirectory() + "peixun-frozen-download-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FrozenTables.writeXlsx(model, to: path)
        return try TableDownload.file(at: path, fileName: "\(model.title)（审核版）", asciiFileName: "frozen-\(model.kind)-\(model.id ?? 0)")
    }
}
