import Foundation
import PeixunCore
import PeixunSheets
import SQLKit

/// Appendix 1 (培训实施情况统计表) as a frozen table: a city's counties and its 小计, read by
/// the same report service and written by the same workbook writer as the live page and export.
extension FrozenTables {
    struct ProgressPayload: Codable {
        struct Row: Codable {
            let code: String
            let name: String
            let figures: ProgressFigures
        }

        let title: String
        let subtitle: String
        let rowHeader: String
        let footnotes: [String]
        let rows: [Row]

        init(_ content: ProgressWorkbook.Content) {
            title = content.title
            subtitle = content.subtitle
            rowHeader = content.rowHeader
            footnotes = content.footnotes
            rows = content.table.rows.map { Row(code: $0.key, name: $0.name, figures: $0.figures) }
        }

        var content: ProgressWorkbook.Content {
            ProgressWorkbook.Content(title: title, subtitle: subtitle, rowHeader: rowHeader,
                                     table: ProgressTable(rows: rows.map { ProgressRow(key: $0.code, name: $0.name, figures: $0.figures) }),
                                     footnotes: footnotes)
        }
    }

    static let progressColumns = ["幼儿园", "中小学", "中职", "合计总数", "已培训人数", "未培训人数", "完成率"]

    func progress(year: Int, region: Region) async throws -> Table {
        let report = try await ProgressReportService(database: database as! any SQLDatabase, regions: regions).report(year: year, regionCode: region.code)
        func cells(_ f: ProgressFigures, untrained: Int) -> [String] {
            [f.kindergarten, f.primarySecondary, f.vocational, f.total, f.trained, untrained].map(String.init) + [Percent.format(f.completionRate)]
        }
        let rows = report.table.rows.map { FrozenGrid.Row(key: $0.key, name: $0.name, cells: cells($0.figures, untrained: $0.figures.untrained)) }
            + [FrozenGrid.Row(key: "小计", name: "小计", cells: cells(report.table.total, untrained: report.table.totalUntrained))]
        let content = ProgressExport.workbookContent(for: report)
        return Table(title: "\(year)年 \(report.title)", grid: FrozenGrid(columns: Self.progressColumns, rows: rows),
                     payload: Payload(progress: ProgressPayload(content)))
    }
}
