import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import SQLKit

/// Reads an approvable table as it stands (cells and workbook content), keeps it when the
/// province approves (called from the workflows' `didApprove` hooks) and marks it reopened
/// when the approval is reopened (`didReopen`). The live export and the frozen download are
/// written by the same workbook writers from the same content.
struct FrozenTables {
    let database: any Database
    let regions: RegionDirectory

    /// What a table is at one moment: its cells, its title and its workbook's content.
    struct Table {
        let title: String
        let grid: FrozenGrid
        let payload: Payload
    }

    /// The workbook's content as stored: one of the two layouts.
    struct Payload: Codable {
        var plan: PlanPayload?
        var summary: SummaryPayload?
        var progress: ProgressPayload?
    }

    struct PlanPayload: Codable {
        struct Line: Codable {
            let city: String
            let county: String
            let figures: ProgressFigures
            let entry: PlanEntry
            let remarks: String
        }

        let year: Int
        let authority: String
        let filler: String
        let phone: String
        let totalLabel: String
        let lines: [Line]

        init(_ content: PlanWorkbook.Content) {
            year = content.year
            authority = content.authority
            filler = content.filler
            phone = content.phone
            totalLabel = content.totalLabel
            lines = content.lines.map { Line(city: $0.city, county: $0.county, figures: $0.row.figures, entry: $0.row.entry, remarks: $0.remarks) }
        }

        var content: PlanWorkbook.Content {
            PlanWorkbook.Content(year: year, authority: authority, filler: filler, phone: phone,
                                 lines: lines.map { .init(city: $0.city, county: $0.county, row: PlanRow(figures: $0.figures, entry: $0.entry), remarks: $0.remarks) },
                                 totalLabel: totalLabel)
        }
    }

    struct SummaryPayload: Codable {
        struct Row: Codable {
            let code: String
            let name: String
            let cells: [IntegrationSummary.Cell]
        }

        let project: String
        let regionName: String
        let totalLabel: String
        let rows: [Row]

        var summary: IntegrationSummary {
            var counts: [String: [Int: IntegrationSummary.Cell]] = [:]
            for row in rows { counts[row.code] = Dictionary(uniqueKeysWithValues: zip(IntegrationSummary.years, row.cells)) }
            return IntegrationSummary(areas: rows.map { ($0.code, $0.name) }, counts: counts, totalLabel: totalLabel)
        }
    }

    static let planColumns = ["幼儿园", "中小学", "职业中学", "合计总数", "已培训人数", "未培训人数(缺口数)", "省级及以上项目需求数", "市县级培训计划数", "备注"]
    static var summaryColumns: [String] { IntegrationSummary.years.flatMap { ["\($0)年分配人数", "\($0)年核实人数"] } }

    func live(_ kind: FrozenKind, subject: Int, region: Region) async throws -> Table {
        switch kind {
        case .plan: return try await plan(year: subject, region: region)
        case .summary: return try await summary(batchID: subject, region: region)
        case .progress: return try await progress(year: subject, region: region)
        }
    }

    private func plan(year: Int, region: Region) async throws -> Table {
        let content = try await PlanTable(database: database, regions: regions, approvals: nil).workbook(year: year, region: region, fallbackFiller: "")
        let codes = regions.children(of: region.code).map(\.code)
        var rows: [FrozenGrid.Row] = []
        for (index, line) in content.lines.enumerated() {
            rows.append(Self.planRow(key: index < codes.count ? codes[index] : line.county, name: line.county.isEmpty ? line.city : line.county,
                                     line.row, gap: line.row.gap, remarks: line.remarks))
        }
        var total = PlanRow.sum(content.lines.map(\.row))
        if content.lines.allSatisfy({ $0.row.entry.provincialDemand == nil && $0.row.entry.localPlan == nil }) { total.entry = PlanEntry() }
        rows.append(Self.planRow(key: content.totalLabel, name: content.totalLabel, total, gap: PlanRow.gapSum(content.lines.map(\.row)), remarks: ""))
        return Table(title: "\(region.name)\(content.title)", grid: FrozenGrid(columns: Self.planColumns, rows: rows),
                     payload: Payload(plan: PlanPayload(content)))
    }

    private static func planRow(key: String, name: String, _ row: PlanRow, gap: Int, remarks: String) -> FrozenGrid.Row {
        let f = row.figures
        let numbers = [f.kindergarten, f.primarySecondary, f.vocational, f.total, f.trained, gap].map(String.init)
        return FrozenGrid.Row(key: key, name: name, cells: numbers + [row.entry.provincialDemand.map(String.init) ?? "",
                                                                     row.entry.localPlan.map(String.init) ?? "", remarks])
    }

    private func summary(batchID: Int, region: Region) async throws -> Table {
        guard let batch = try await IntegrationBatchModel.find(batchID, on: database),
              let project = try await ProjectModel.find(batch.projectID, on: database) else { throw AppError.notFound("整合批次") }
        let summary = try await SummaryController.summary(projectID: batch.projectID, region: region, scope: SQLRaw("1 = 1"),
                                                          on: database as! any SQLDatabase, regions: regions)
        func cells(_ row: IntegrationSummary.Row) -> [String] { row.cells.flatMap { [String($0.allocated), String($0.verified)] } }
        let rows = summary.rows.map { FrozenGrid.Row(key: $0.code ?? $0.name, name: $0.name, cells: cells($0)) }
            + [FrozenGrid.Row(key: summary.total.name, name: summary.total.name, cells: cells(summary.total))]
        let payload = SummaryPayload(project: project.name, regionName: region.name, totalLabel: summary.total.name,
                                     rows: summary.rows.map { .init(code: $0.code ?? $0.name, name: $0.name, cells: $0.cells) })
        return Table(title: "\(region.name)整合培训项目教师参训情况汇总表（\(project.name)，第\(batchID)批）",
                     grid: FrozenGrid(columns: Self.summaryColumns, rows: rows), payload: Payload(summary: payload))
    }

    /// The unit's submission as the engine has just written it in this transaction: the approval
    /// (or reopening) it records is the snapshot's. Its absence, or another state, means the
    /// hook ran outside the engine's transition, which is a programming error, not a fallback.
    private func submission(_ workflow: ApprovalWorkflowKind, subject: Int, region: Region, expected: ApprovalState) async throws -> SubmissionModel {
        let row = try await SubmissionModel.query(on: database).filter(\.$workflow == workflow.rawValue)
            .filter(\.$subjectID == subject).filter(\.$regionCode == region.code).first()
        guard let row, try row.state() == expected, row.updatedBy != nil else {
            throw AppError(.internalServerError, code: "frozen.no_approval",
                           "\(region.name)的审核记录不存在或状态不符（\(workflow.rawValue)，\(subject)），未保存审核时的表格")
        }
        return row
    }

    /// Keeps the table as approved. The approver is the one the engine has just written on the
    /// unit's submission (`updated_by`, `updated_at`), so the hooks need nothing from the request.
    func freeze(_ kind: FrozenKind, workflow: ApprovalWorkflowKind, subject: Int, region: Region) async throws -> FrozenTableModel {
        let submission = try await submission(workflow, subject: subject, region: region, expected: .approved)
        let table = try await live(kind, subject: subject, region: region)
        let username = submission.updatedBy ?? ""
        let name = try await UserModel.query(on: database).filter(\.$username == username).first()?.displayName ?? username
        let model = FrozenTableModel()
        model.kind = kind.rawValue
        model.subjectID = subject
        model.regionCode = region.code
        model.title = table.title
        model.approvedBy = username
        model.approverName = name
        model.approvedAt = submission.updatedAt
        model.grid = String(decoding: try JSONEncoder().encode(table.grid), as: UTF8.self)
        model.payload = String(decoding: try JSONEncoder().encode(table.payload), as: UTF8.self)
        try await model.create(on: database)
        return model
    }

    /// The approval was reopened: the snapshots of the unit stay readable but are no longer the approved version.
    func reopen(_ kind: FrozenKind, workflow: ApprovalWorkflowKind, subject: Int, region: Region) async throws -> Int {
        let submission = try await submission(workflow, subject: subject, region: region, expected: .submitted)
        let current = try await FrozenTableModel.query(on: database).filter(\.$kind == kind.rawValue).filter(\.$subjectID == subject)
            .filter(\.$regionCode == region.code).filter(\.$reopenedAt == nil).all()
        for model in current {
            model.reopenedAt = submission.updatedAt
            model.reopenedBy = submission.updatedBy
            try await model.update(on: database)
        }
        return current.count
    }

    /// The approved version's workbook, in the live export's layout, written to `path`.
    static func writeXlsx(_ model: FrozenTableModel, to path: String) throws {
        let payload: Payload
        do {
            payload = try JSONDecoder().decode(Payload.self, from: Data(model.payload.utf8))
        } catch {
            throw AppError(.internalServerError, code: "frozen.corrupt", "已审核表格快照 \(model.id ?? 0) 无法读取（表格数据损坏）")
        }
        if let plan = payload.plan {
            try PlanWorkbook.write(plan.content, to: path)
        } else if let summary = payload.summary {
            try IntegrationSummaryWorkbook.write(summary.summary, project: summary.project, regionName: summary.regionName, to: path)
        } else if let progress = payload.progress {
            try ProgressWorkbook.write(progress.content, to: path)
        } else {
            throw AppError(.internalServerError, code: "frozen.corrupt", "已审核表格快照 \(model.id ?? 0) 无法读取（表格数据损坏）")
        }
    }
}
