import PeixunCore

/// What `progress.leaf` shows: the table of one level with links one level down.
struct ProgressPageModel: Encodable, Sendable {
    struct Link: Encodable, Sendable {
        let label: String
        let url: String
    }

    struct Row: Encodable, Sendable {
        let name: String
        let url: String?
        let kindergarten: Int
        let primarySecondary: Int
        let vocational: Int
        let total: Int
        let trained: Int
        let untrained: Int
        let completion: String
        let completionValue: Double

        init(name: String, url: String?, figures: ProgressFigures, untrained: Int) {
            self.name = name
            self.url = url
            kindergarten = figures.kindergarten
            primarySecondary = figures.primarySecondary
            vocational = figures.vocational
            total = figures.total
            trained = figures.trained
            self.untrained = untrained
            completion = Percent.format(figures.completionRate)
            completionValue = figures.completionRate
        }
    }

    let pageTitle: String
    let title: String
    let year: Int
    let years: [YearTab]
    let regionCode: String
    let breadcrumbs: [Link]
    let rowHeader: String
    let stageHeader: String
    let rows: [Row]
    let total: Row
    let isEmpty: Bool
    let statisticsNote: String
    let xlsxURL: String
    let jsonURL: String
    /// 未培训教师名单 for a city or county (the province's would be too large to be useful).
    let untrainedURL: String?
    /// The year's approval of Appendix 1 (county confirms, city submits, province approves).
    let approvalURL: String

    /// `yearChoices`: `ReportingYears.choices`, shown as the year tabs.
    init(report: ProgressReport, regions: RegionDirectory, scope: RegionScope, yearChoices: [Int]) {
        let year = report.year
        // The year in the heading, so that a printed page says which year it is.
        title = "\(year)年 " + report.title
        pageTitle = "\(report.region.name) \(year)年培训实施情况"
        self.year = year
        regionCode = report.region.code
        years = YearTab.bar(yearChoices, showing: year) { .reports(.progress(year: $0, region: report.region.code)) }
        breadcrumbs = regions.visibleChain(to: report.region.code, scope: scope).map { Link(label: $0.name, url: SiteURL.reports(.progress(year: year, region: $0.code)).path) }
        rowHeader = report.rowLevel.header
        stageHeader = report.rowLevel == .school ? "在册教师数" : "专任教师数"
        rows = report.table.rows.map { row in
            let url = switch report.rowLevel {
            case .province, .city, .county: SiteURL.reports(.progress(year: year, region: row.key)).path
            case .school: Int(row.key).map { SiteURL.reports(.untrainedTeachers(.value($0), year: year)).path }
            }
            return Row(name: row.name, url: url, figures: row.figures, untrained: row.figures.untrained)
        }
        total = Row(name: "小计", url: nil, figures: report.table.total, untrained: report.table.totalUntrained)
        isEmpty = report.table.rows.isEmpty
        var note = report.schoolYear.map { "专任教师数来源：教育事业统计（\(StatisticsYear.label($0))初）。" } ?? "尚未导入教育事业统计的专任教师数。"
        note += "已培训人数：截至\(year)年底至少有一项培训合格的教师人数。"
        if report.rowLevel == .school {
            note = "学校一行为该校在册教师数。" + (report.officialTotal.map { "本县教育事业统计专任教师数为 \($0) 人。" } ?? "") + note
        }
        statisticsNote = note
        xlsxURL = SiteURL.reports(.progress(year: year, region: report.region.code, format: "xlsx")).path
        jsonURL = SiteURL.reports(.apiProgress(year: year, region: report.region.code)).path
        untrainedURL = report.region.level == .province ? nil : SiteURL.reports(.untrainedExport(year: year, region: report.region.code)).path
        approvalURL = SiteURL.reports(.approval(year: year, region: report.region.code)).path
    }
}

enum Percent {
    static func format(_ rate: Double) -> String {
        let basisPoints = Int((rate * 10_000).rounded())
        let fraction = basisPoints % 100
        return "\(basisPoints / 100).\(fraction < 10 ? "0" : "")\(fraction)%"
    }
}

/// What `untrained.leaf` shows: one page of a school's untrained teachers, IDs masked.
struct UntrainedPageModel: Encodable, Sendable {
    struct Teacher: Encodable, Sendable {
        let id: Int
        let name: String
        let maskedID: String
        let stage: String
        let status: String
        let url: String
    }

    struct Link: Encodable, Sendable {
        let label: String
        let url: String
    }

    let pageTitle: String
    let schoolName: String
    let year: Int
    let totalCount: Int
    let teachers: [Teacher]
    let breadcrumbs: [Link]
    let page: Int
    let pageCount: Int
    let previousURL: String?
    let nextURL: String?
    let xlsxURL: String
    let csvURL: String

    init(page: UntrainedTeachersPage, regions: RegionDirectory, scope: RegionScope) {
        pageTitle = "\(page.school.name) 未培训教师"
        schoolName = page.school.name
        year = page.year
        totalCount = page.totalCount
        teachers = page.teachers.map {
            Teacher(
                id: $0.id,
                name: $0.name,
                maskedID: ResidentID(canonical: $0.resident_id)?.masked ?? "******",
                stage: Stage(rawValue: $0.stage)?.label ?? $0.stage,
                status: $0.failed > 0 ? "不合格" : "未参训",
                url: SiteURL.teachers(.teacher(.value($0.id))).path)
        }
        breadcrumbs = regions.visibleChain(to: page.school.countyCode, scope: scope).map { Link(label: $0.name, url: SiteURL.reports(.progress(year: page.year, region: $0.code)).path) }
        self.page = page.page
        pageCount = page.pageCount
        previousURL = page.page > 1 ? SiteURL.reports(.untrainedTeachers(.value(page.school.id), year: page.year, page: page.page - 1)).path : nil
        nextURL = page.page < page.pageCount ? SiteURL.reports(.untrainedTeachers(.value(page.school.id), year: page.year, page: page.page + 1)).path : nil
        func export(_ format: String) -> String {
            SiteURL.reports(.untrainedExport(year: page.year, region: page.school.countyCode, school: page.school.id, format: format)).path
        }
        xlsxURL = export("xlsx")
        csvURL = export("csv")
    }
}

extension RegionDirectory {
    /// The regions from the top of the user's scope down to `code`, for breadcrumbs that
    /// never link outside what the user may open.
    func visibleChain(to code: String, scope: RegionScope) -> [Region] {
        var chain: [Region] = []
        var current = region(code: code)
        while let region = current, scope.contains(regionCode: region.code, in: self) {
            chain.insert(region, at: 0)
            current = parent(of: region)
        }
        return chain
    }
}
