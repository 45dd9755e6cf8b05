import Foundation
import PeixunCore

/// What `dashboard.leaf` shows: each chart as inline SVG (drawn by `PeixunCore.BarChart`) and
/// beside it a table with the same figures, the chart's text equivalent.
struct DashboardPage: Encodable, Sendable {
    struct RateRow: Encodable, Sendable {
        let name: String
        /// Drill-down to the unit's own dashboard; nil for a county's schools.
        let url: String?
        let total: String
        let trained: String
        let untrained: String
        let rate: String
    }

    struct PlanRow: Encodable, Sendable {
        let name: String
        let gap: String
        let planned: String
        let trained: String
        let rate: String
    }

    let pageTitle: String
    let year: Int
    let regionName: String
    let unitLabel: String
    let completionSVG: String
    let completion: [RateRow]
    let trendSVG: String
    let trend: [RateRow]
    let planSVG: String
    let plan: [PlanRow]
    let hasPlan: Bool
    let overdue: [TimelinessController.Overdue]
    let hasOverdue: Bool
    let years: [YearTab]
    let apiURL: String
    let timelinessURL: String
    let plansURL: String
    let progressURL: String

    /// `years`: the year tabs, `ReportingYears.choices` (years with data or an open task).
    init(_ dashboard: DashboardService.Dashboard, years choices: [Int]) {
        let region = dashboard.region
        let drillable = dashboard.level != Region.Level.county.rawValue
        pageTitle = "\(region.name)工作台"
        year = dashboard.year
        regionName = region.name
        unitLabel = dashboard.unitLabel
        let count = { (value: Int) in BarChart.grouped(value) }
        let percent = { (value: Double) in String(format: "%.1f%%", value * 100) }
        completionSVG = BarChart(
            title: "\(dashboard.year)年各\(dashboard.unitLabel)培训完成率",
            summary: "\(region.name)下 \(dashboard.completion.count) 个\(dashboard.unitLabel)截至\(dashboard.year)年底已培训人数占专任教师数的比例，数据见下表",
            series: [.init(name: "完成率", cssClass: "bar-a")],
            bars: dashboard.completion.map { .init(label: $0.name, values: [$0.rate]) }, scale: .rate,
            emptyText: "暂无\(dashboard.unitLabel)数据").svg
        completion = dashboard.completion.map {
            RateRow(name: $0.name, url: drillable ? SiteURL.dashboard(.page(year: dashboard.year, region: $0.code)).path : nil,
                    total: count($0.total), trained: count($0.trained), untrained: count($0.untrained), rate: percent($0.rate))
        }
        trendSVG = BarChart(
            title: "\(region.name)\(DashboardService.trendYears.first!)–\(DashboardService.trendYears.last!)年累计完成率",
            summary: "每年年底累计已培训人数占专任教师数的比例，数据见下表", series: [.init(name: "累计完成率", cssClass: "bar-a")],
            bars: dashboard.trend.map { .init(label: "\($0.year)年", values: [$0.rate]) }, scale: .rate).svg
        trend = dashboard.trend.map {
            RateRow(name: "\($0.year)年", url: nil, total: count($0.total), trained: count($0.trained),
                    untrained: count(max($0.total - $0.trained, 0)), rate: percent($0.rate))
        }
        hasPlan = dashboard.plan.contains { $0.planned != nil }
        planSVG = BarChart(
            title: "\(dashboard.year)年目标考核：计划培训与实际培训",
            summary: "各单位\(dashboard.year)年培训计划数（省级及以上项目需求数与市县级培训计划数之和）与当年实际培训合格人数，数据见下表",
            series: [.init(name: "计划数", cssClass: "bar-b"), .init(name: "实际培训", cssClass: "bar-a")],
            bars: hasPlan ? dashboard.plan.map { .init(label: $0.name, values: [Double($0.planned ?? 0), Double($0.trained)]) } : [],
            scale: .count, emptyText: "\(dashboard.year)年尚无已填报的培训计划").svg
        plan = dashboard.plan.map {
            PlanRow(name: $0.name, gap: count($0.gap), planned: $0.planned.map { count($0) } ?? "未填报", trained: count($0.trained),
                    rate: $0.rate.map { percent($0) } ?? "—")
        }
        overdue = dashboard.overdue
        hasOverdue = !dashboard.overdue.isEmpty
        years = YearTab.bar(choices, showing: dashboard.year) { .dashboard(.page(year: $0, region: region.code)) }
        apiURL = SiteURL.dashboard(.api(year: dashboard.year, region: region.code)).path
        timelinessURL = SiteURL.timeliness(.page(year: dashboard.year, region: region.code)).path
        plansURL = SiteURL.plans(.page(year: dashboard.year, region: region.code)).path
        progressURL = SiteURL.reports(.progress(year: dashboard.year, region: region.code)).path
    }
}
