import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

/// The figures of a province's, city's or county's dashboard: completion rate per unit one
/// level below (cities, counties, or a county's schools), the trend 2014–2017, planned vs
/// actually trained per unit (目标考核: Appendix 3 against the year's first passes) and the
/// units still missing a report after its deadline. Read from the same sources as the
/// reports themselves (Appendix 1's rollups, `plans`, `submissions`).
struct DashboardService {
    let database: any Database
    let regions: RegionDirectory

    static let trendYears = Array(2014...2017)

    struct UnitRate: Content, Equatable {
        let code: String
        let name: String
        let total: Int
        let trained: Int
        let untrained: Int
        /// 0...1.
        let rate: Double
    }

    struct TrendPoint: Content, Equatable {
        let year: Int
        let total: Int
        let trained: Int
        let rate: Double
    }

    struct PlanGap: Content, Equatable {
        let code: String
        let name: String
        /// 未培训人数（缺口数）of the year before: the year's task.
        let gap: Int
        /// 省级及以上项目需求数 + 市县级培训计划数; nil while no county has filled in its plan.
        let planned: Int?
        /// Teachers who first passed a training in the year.
        let trained: Int
        /// trained / planned, nil without a plan.
        let rate: Double?
    }

    /// `GET /api/v1/dashboard`.
    struct Dashboard: Content {
        let year: Int
        let region: ProgressDTO.RegionRef
        /// province, city or county: whose dashboard.
        let level: String
        /// 市州, 县(市、区) or 学校: what the completion rows are.
        let unitLabel: String
        let completion: [UnitRate]
        let trend: [TrendPoint]
        let plan: [PlanGap]
        let overdue: [TimelinessController.Overdue]
    }

    func dashboard(year: Int, region: Region, today: CivilDate) async throws -> Dashboard {
        let progress = ProgressReportService(database: database as! any SQLDatabase, regions: regions)
        var reports: [Int: ProgressReport] = [:]
        for trendYear in Set(Self.trendYears + [year, year - 1]).sorted() {
            reports[trendYear] = try await progress.report(year: trendYear, regionCode: region.code)
        }
        let current = reports[year]!
        let completion = current.table.rows.map {
            UnitRate(code: $0.key, name: $0.name, total: $0.figures.total, trained: $0.figures.trained,
                     untrained: $0.figures.untrained, rate: $0.figures.completionRate)
        }
        let trend = Self.trendYears.map { trendYear in
            let sum = reports[trendYear]!.table.rows.reduce(ProgressFigures.zero) { $0 + $1.figures }
            return TrendPoint(year: trendYear, total: sum.total, trained: sum.trained, rate: sum.completionRate)
        }
        let plan = try await planGaps(year: year, region: region, current: current, before: reports[year - 1]!)
        let overdue = try await TimelinessController.overdue(TimelinessService(database: database, regions: regions),
                                                             year: year, region: region, today: today)
        return Dashboard(year: year, region: .init(code: region.code, name: region.name), level: region.level.rawValue,
                         unitLabel: current.rowLevel.header, completion: completion, trend: trend, plan: plan, overdue: overdue)
    }

    /// Per unit below (a county sees itself): the plan's numbers summed from its counties' rows,
    /// the gap of the year before, and the teachers who first passed in the year.
    private func planGaps(year: Int, region: Region, current: ProgressReport, before: ProgressReport) async throws -> [PlanGap] {
        // A province below 全国 keeps to its own cities.
        let query = PlanModel.query(on: database).filter(\.$year == year).within(region)
        var planned: [String: Int] = [:]
        for plan in try await query.all() where plan.provincialDemand != nil || plan.localPlan != nil {
            let key = region.level == .province ? plan.cityCode : plan.countyCode
            planned[key, default: 0] += (plan.provincialDemand ?? 0) + (plan.localPlan ?? 0)
        }
        if region.level == .county {
            // A county's own row: its totals over its schools.
            let now = current.table.rows.reduce(ProgressFigures.zero) { $0 + $1.figures }
            let then = before.table.rows.reduce(ProgressFigures.zero) { $0 + $1.figures }
            return [gap(code: region.code, name: region.name, gap: then.untrained, planned: planned[region.code],
                        trained: max(now.trained - then.trained, 0))]
        }
        let earlier = Dictionary(before.table.rows.map { ($0.key, $0.figures) }, uniquingKeysWith: { first, _ in first })
        return current.table.rows.map { row in
            let then = earlier[row.key] ?? .zero
            return gap(code: row.key, name: row.name, gap: then.untrained, planned: planned[row.key],
                       trained: max(row.figures.trained - then.trained, 0))
        }
    }

    private func gap(code: String, name: String, gap: Int, planned: Int?, trained: Int) -> PlanGap {
        PlanGap(code: code, name: name, gap: gap, planned: planned, trained: trained,
                rate: planned.flatMap { $0 > 0 ? Double(trained) / Double($0) : nil })
    }
}
