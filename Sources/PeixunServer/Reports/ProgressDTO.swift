import PeixunCore
import Vapor

/// `GET /api/v1/reports/progress`: the report as JSON. `completionRate` is 0–1.
struct ProgressDTO: Content {
    struct RegionRef: Content {
        let code: String
        let name: String
    }

    struct Row: Content {
        let code: String
        let name: String
        let kindergarten: Int
        let primarySecondary: Int
        let vocational: Int
        let total: Int
        let trained: Int
        let untrained: Int
        let completionRate: Double

        init(code: String, name: String, figures: ProgressFigures, untrained: Int? = nil) {
            self.code = code
            self.name = name
            kindergarten = figures.kindergarten
            primarySecondary = figures.primarySecondary
            vocational = figures.vocational
            total = figures.total
            trained = figures.trained
            self.untrained = untrained ?? figures.untrained
            completionRate = (figures.completionRate * 10_000).rounded() / 10_000
        }
    }

    let year: Int
    let region: RegionRef
    let rowLevel: String
    let schoolYear: String?
    let rows: [Row]
    let total: Row

    init(_ report: ProgressReport) {
        year = report.year
        region = RegionRef(code: report.region.code, name: report.region.name)
        rowLevel = report.rowLevel.rawValue
        schoolYear = report.schoolYear.map(StatisticsYear.label)
        rows = report.table.rows.map { Row(code: $0.key, name: $0.name, figures: $0.figures) }
        total = Row(code: report.region.code, name: "小计", figures: report.table.total, untrained: report.table.totalUntrained)
    }
}
