import PeixunCore

/// Writes a progress table in the layout of the notice's Appendix 1: title, a two-level
/// merged header under 专任教师数, one row per region (or school), the 小计 row and the notes.
public enum ProgressWorkbook {
    public struct Content: Sendable {
        public var title: String
        public var subtitle: String
        public var rowHeader: String
        public var table: ProgressTable
        public var totalUntrained: Int
        public var footnotes: [String]

        public init(title: String, subtitle: String, rowHeader: String, table: ProgressTable, footnotes: [String]) {
            self.title = title
            self.subtitle = subtitle
            self.rowHeader = rowHeader
            self.table = table
            self.totalUntrained = table.totalUntrained
            self.footnotes = footnotes
        }
    }

    static let columnCount = 8

    public static func write(_ content: Content, to path: String) throws {
        let workbook = try XlsxWorkbook(path: path)
        workbook.setProperties(title: content.title, author: "四川省中小学教师信息技术应用能力提升工程执行办公室")
        let sheet = try workbook.addSheet(named: "实施情况统计表")
        let last = columnCount - 1
        let header = CellStyle(bold: true, alignment: .center, border: true, wrap: true, background: 0xF2F2F2)
        let name = CellStyle(alignment: .left, border: true)
        let number = CellStyle(alignment: .right, border: true, numberFormat: "0")
        let percent = CellStyle(alignment: .right, border: true, numberFormat: "0.00%")
        let totalName = CellStyle(bold: true, alignment: .center, border: true)
        let totalNumber = CellStyle(bold: true, alignment: .right, border: true, numberFormat: "0")
        let totalPercent = CellStyle(bold: true, alignment: .right, border: true, numberFormat: "0.00%")

        sheet.merge(rows: 0...0, columns: 0...last, content.title, style: CellStyle(bold: true, fontSize: 16, alignment: .center))
        sheet.setRow(0, height: 32)
        sheet.merge(rows: 1...1, columns: 0...last, content.subtitle, style: CellStyle(alignment: .right))

        sheet.merge(rows: 2...3, columns: 0...0, content.rowHeader, style: header)
        sheet.merge(rows: 2...2, columns: 1...4, "专任教师数", style: header)
        for (offset, label) in ["幼儿园", "中小学", "中职", "合计总数"].enumerated() {
            sheet.write(label, row: 3, column: 1 + offset, style: header)
        }
        sheet.merge(rows: 2...3, columns: 5...5, "已培训人数", style: header)
        sheet.merge(rows: 2...3, columns: 6...6, "未培训人数", style: header)
        sheet.merge(rows: 2...3, columns: 7...7, "完成率", style: header)

        var row = 4
        func writeFigures(_ figures: ProgressFigures, untrained: Int, numberStyle: CellStyle, percentStyle: CellStyle) {
            let values = [figures.kindergarten, figures.primarySecondary, figures.vocational, figures.total, figures.trained, untrained]
            for (offset, value) in values.enumerated() { sheet.write(value, row: row, column: 1 + offset, style: numberStyle) }
            sheet.write(figures.completionRate, row: row, column: 7, style: percentStyle)
        }
        for entry in content.table.rows {
            sheet.write(entry.name, row: row, column: 0, style: name)
            writeFigures(entry.figures, untrained: entry.figures.untrained, numberStyle: number, percentStyle: percent)
            row += 1
        }
        sheet.write("小计", row: row, column: 0, style: totalName)
        writeFigures(content.table.total, untrained: content.totalUntrained, numberStyle: totalNumber, percentStyle: totalPercent)
        row += 1

        if !content.footnotes.isEmpty {
            let text = "备注：" + content.footnotes.joined(separator: "\n")
            sheet.merge(rows: row...row, columns: 0...last, text, style: CellStyle(alignment: .left, wrap: true))
            sheet.setRow(row, height: Double(18 * max(3, content.footnotes.count + 2)))
        }

        let longestName = content.table.rows.map(\.name.count).max() ?? 4
        sheet.setColumns(0...0, width: Double(min(max(longestName * 2 + 2, 10), 48)))
        sheet.setColumns(1...6, width: 12)
        sheet.setColumns(7...7, width: 10)
        sheet.freezePanes(row: 4, column: 1)
        sheet.printA4Landscape(repeatingRows: 2...3)
        try workbook.close()
    }
}
