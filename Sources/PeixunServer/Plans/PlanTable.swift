import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import SQLKit
import Vapor

/// `GET /api/v1/plans?year=2017&region=CODE`: the region's children as rows (counties for a
/// city, cities for the province; a county sees its own row), each with Appendix 1's figures of
/// the year before, the entered numbers, its state and its warnings; and their total.
struct PlanTableDTO: Content {
    typealias RegionRef = ProgressDTO.RegionRef

    struct Row: Content {
        let code: String
        let name: String
        let kindergarten: Int
        let primarySecondary: Int
        let vocational: Int
        let total: Int
        let trained: Int
        /// 未培训人数（缺口数）.
        let untrained: Int
        let provincialDemand: Int?
        let localPlan: Int?
        let usesProvincialPlatform: Bool
        let remarks: String
        /// The unit's state in the approval (`open`, `submitted`, `returned`, `approved`); empty on the province's 合计.
        let state: String
        let stateLabel: String
        let late: Bool
        let returnedReason: String?
        let warnings: [PlanWarning]
        /// What the caller may do with this row's unit.
        let actions: ApprovalActions

        init(code: String, name: String, plan: PlanRow, untrained: Int, submission: PlanTable.Submission?, actions: ApprovalActions) {
            self.code = code
            self.name = name
            kindergarten = plan.figures.kindergarten
            primarySecondary = plan.figures.primarySecondary
            vocational = plan.figures.vocational
            total = plan.figures.total
            trained = plan.figures.trained
            self.untrained = untrained
            provincialDemand = plan.entry.provincialDemand
            localPlan = plan.entry.localPlan
            usesProvincialPlatform = plan.entry.usesProvincialPlatform
            remarks = plan.entry.remarks
            state = submission?.state.rawValue ?? ""
            stateLabel = submission?.state.label ?? ""
            late = submission?.late ?? false
            returnedReason = submission?.state == .returned ? submission?.reason : nil
            warnings = PlanCheck.warnings(gap: untrained, entry: plan.entry)
            self.actions = actions
        }
    }

    struct Signature: Content {
        let filler: String
        let phone: String
        let signedAt: Date
    }

    let year: Int
    /// 31 March of the year.
    let deadline: String
    let region: RegionRef
    /// "county", "city" or "province": whose table this is.
    let level: String
    let rows: [Row]
    let total: Row
    /// 填表人 and 联系电话 of the region's submission, when it has submitted.
    let signature: Signature?
}

/// Reads a region's plan table; `approvals` (when a user asks) adds what that user may do.
struct PlanTable {
    let database: any Database
    let regions: RegionDirectory
    let approvals: ApprovalService?

    struct Submission {
        let state: ApprovalState
        let late: Bool
        let reason: String?
    }

    private struct Line {
        let region: Region
        let plan: PlanRow
    }

    /// Appendix 1 of the year before: its untrained teachers are this year's task.
    static func figuresYear(for year: Int) -> Int { year - 1 }

    private func lines(year: Int, region: Region) async throws -> [Line] {
        let sql = database as! any SQLDatabase
        let progress = ProgressReportService(database: sql, regions: regions)
        switch region.level {
        case .county:
            guard let city = region.parentCode else { return [] }
            let report = try await progress.report(year: Self.figuresYear(for: year), regionCode: city)
            let figures = report.table.rows.first { $0.key == region.code }?.figures ?? .zero
            let entry = try await PlanModel.query(on: database).filter(\.$year == year).filter(\.$countyCode == region.code).first()?.entry
            return [Line(region: region, plan: PlanRow(figures: figures, entry: entry ?? PlanEntry()))]
        case .city:
            let report = try await progress.report(year: Self.figuresYear(for: year), regionCode: region.code)
            let entries = Dictionary(uniqueKeysWithValues: try await PlanModel.query(on: database).filter(\.$year == year)
                .filter(\.$cityCode == region.code).all().map { ($0.countyCode, $0.entry) })
            return report.table.rows.compactMap { row in
                regions.region(code: row.key).map { Line(region: $0, plan: PlanRow(figures: row.figures, entry: entries[row.key] ?? PlanEntry())) }
            }
        case .province:
            let report = try await progress.report(year: Self.figuresYear(for: year), regionCode: region.code)
            let byCity = Dictionary(grouping: try await PlanModel.query(on: database).filter(\.$year == year).within(region).all(), by: \.cityCode)
            return report.table.rows.compactMap { row in
                guard let city = regions.region(code: row.key) else { return nil }
                let plans = byCity[row.key] ?? []
                let filled = plans.filter { $0.provincialDemand != nil || $0.localPlan != nil }
                let entry = PlanEntry(
                    provincialDemand: filled.isEmpty ? nil : filled.reduce(0) { $0 + ($1.provincialDemand ?? 0) },
                    localPlan: filled.isEmpty ? nil : filled.reduce(0) { $0 + ($1.localPlan ?? 0) },
                    usesProvincialPlatform: plans.allSatisfy(\.usesProvincialPlatform),
                    remarks: plans.filter { !$0.remarks.isEmpty }.map { "\(regions.region(code: $0.countyCode)?.name ?? $0.countyCode)：\($0.remarks)" }
                        .joined(separator: "；"))
                return Line(region: city, plan: PlanRow(figures: row.figures, entry: entry))
            }
        }
    }

    func submissions(year: Int, codes: [String]) async throws -> [String: Submission] {
        var result: [String: Submission] = [:]
        for chunk in codes.chunked(into: 1000) {
            for row in try await SubmissionModel.query(on: database).filter(\.$workflow == ApprovalWorkflowKind.plan.rawValue)
                .filter(\.$subjectID == year).filter(\.$regionCode ~~ chunk).all() {
                result[row.regionCode] = Submission(state: try row.state(), late: row.late, reason: row.returnedReason)
            }
        }
        for code in codes where result[code] == nil { result[code] = Submission(state: .open, late: false, reason: nil) }
        return result
    }

    func table(year: Int, region: Region) async throws -> PlanTableDTO {
        let lines = try await lines(year: year, region: region)
        let own = region.level == .province ? [] : [region.code]
        let submissions = try await submissions(year: year, codes: lines.map(\.region.code) + own)
        func actions(_ unit: Region) async throws -> ApprovalActions {
            guard let approvals, unit.level != .province else { return ApprovalActions() }
            return try await approvals.actions(unit, subject: year, on: database)
        }
        var rows: [PlanTableDTO.Row] = []
        for line in lines {
            rows.append(PlanTableDTO.Row(code: line.region.code, name: line.region.name, plan: line.plan, untrained: line.plan.gap,
                                         submission: submissions[line.region.code], actions: try await actions(line.region)))
        }
        let total: PlanTableDTO.Row
        if region.level == .county, let row = rows.first {
            total = row
        } else {
            var sum = PlanRow.sum(lines.map(\.plan))
            if lines.allSatisfy({ $0.plan.entry.provincialDemand == nil && $0.plan.entry.localPlan == nil }) { sum.entry = PlanEntry() }
            total = PlanTableDTO.Row(code: region.code, name: region.level == .province ? "合计" : "小计", plan: sum,
                                     untrained: PlanRow.gapSum(lines.map(\.plan)), submission: submissions[region.code],
                                     actions: try await actions(region))
        }
        let signature = try await PlanSignatureModel.query(on: database).filter(\.$year == year).filter(\.$regionCode == region.code).first()
        return PlanTableDTO(
            year: year, deadline: try await TaskDeadlines(database: database).deadline(PlanApproval.task, year: year).description,
            region: .init(code: region.code, name: region.name), level: region.level.rawValue, rows: rows, total: total,
            signature: signature.map { .init(filler: $0.filler, phone: $0.phone, signedAt: $0.signedAt) })
    }

    /// The table as an Appendix 3 workbook: a city's counties with 小计, the province's cities
    /// with 合计; 填表人 and 联系电话 from the region's submission, or else from `fallbackFiller`.
    func workbook(year: Int, region: Region, fallbackFiller: String) async throws -> PlanWorkbook.Content {
        let table = try await table(year: year, region: region)
        let city = region.level == .county ? regions.region(code: region.parentCode ?? "")?.name ?? "" : region.name
        let lines = table.rows.map { row in
            PlanWorkbook.Line(
                city: region.level == .province ? row.name : city, county: region.level == .province ? "" : row.name,
                row: PlanRow(figures: ProgressFigures(kindergarten: row.kindergarten, primarySecondary: row.primarySecondary,
                                                      vocational: row.vocational, trained: row.trained),
                             entry: PlanEntry(provincialDemand: row.provincialDemand, localPlan: row.localPlan,
                                              usesProvincialPlatform: row.usesProvincialPlatform, remarks: row.remarks)),
                remarks: row.usesProvincialPlatform ? row.remarks : "市县级培训未纳入省级平台" + (row.remarks.isEmpty ? "" : "：" + row.remarks))
        }
        var phone = table.signature?.phone ?? ""
        if phone.isEmpty { phone = try await FormLines.phone(of: region, year: year, on: database) }
        return PlanWorkbook.Content(year: year, authority: region.name, filler: table.signature?.filler ?? fallbackFiller,
                                    phone: phone, lines: lines,
                                    totalLabel: region.level == .province ? "合计" : "小计")
    }

    static func xlsx(_ content: PlanWorkbook.Content) throws -> Data {
        let path = NSTemporaryDirectory() + "peixun-plan-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PlanWorkbook.write(content, to: path)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }
}
