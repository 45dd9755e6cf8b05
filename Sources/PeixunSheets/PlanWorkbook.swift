import Foundation
import PeixunCore

/// Writes training plans in the layout of the notice's Appendix 3 (2017年市(州)县(区)能力提升工程
/// 培训计划及执行情况): the form's own line 市(州)教育行政部门(盖章) · 填表人 · 联系电话, the
/// header 地区 (市(州), 县(市、区)) · 专任教师数 (幼儿园, 中小学, 职业中学, 合计总数) · 已培训人数 ·
/// 未培训人数(缺口数) · N培训计划数 (省级及以上项目需求数, 市县级培训计划数) · 备注, one row per
/// county (a city's sheet) or per city (the province's), the 小计 or 合计 row and the form's notes.
public enum PlanWorkbook {
    public struct Line: Sendable {
        /// 市(州) column.
        public var city: String
        /// 县(市、区) column; empty on the province's sheet, whose rows are cities.
        public var county: String
        public var row: PlanRow
        public var remarks: String

        public init(city: String, county: String, row: PlanRow, remarks: String) {
            self.city = city
            self.county = county
            self.row = row
            self.remarks = remarks
        }
    }

    public struct Content: Sendable {
        public var year: Int
        /// What follows 市(州)教育行政部门(盖章)：, e.g. 成都市.
        public var authority: String
        public var filler: String
        public var phone: String
        public var lines: [Line]
        /// 小计 (a city's counties) or 合计 (the province's cities).
        public var totalLabel: String

        public init(year: Int, authority: String, filler: String, phone: String, lines: [Line], totalLabel: String) {
            self.year = year
            self.authority = authority
            self.filler = filler
            self.phone = phone
            self.lines = lines
            self.totalLabel = totalLabel
        }

        public var title: String { "\(year)年市(州)县(区)能力提升工程培训计划及执行情况" }
    }

    /// The form's notes, as printed under the table.
    public static let footnotes = [
        "1.本表分解到各县(市、区)，请在认真核对基础上，以市(州)为单位统计汇总。并于3月31日前，以Excel电子表格报送，同时邮寄纸质版（一份，加盖公章）至省执行办；",
        "2.请各地在统计核实附件1“专任教师数”和“已培训人数”基础上填报；",
        "3.原则上按照省级培训20%，市、县两级培训80%的比例，填报需求数和计划数；",
        "4.若有市县级培训尚未纳入省级平台统一管理，请备注加以说明。",
    ]

    static let columnCount = 11
    /// The header's two rows; data starts below them.
    public static let headerRows = 3...4

    public static func write(_ content: Content, to path: String) throws {
        let workbook = try XlsxWorkbook(path: path)
        workbook.setProperties(title: content.title, author: "四川省中小学教师信息技术应用能力提升工程执行办公室")
        let sheet = try workbook.addSheet(named: "培训计划及执行情况")
        let last = columnCount - 1
        let header = CellStyle(bold: true, alignment: .center, border: true, wrap: true, background: 0xF2F2F2)
        let name = CellStyle(alignment: .left, border: true)
        let number = CellStyle(alignment: .right, border: true, numberFormat: "0")
        let text = CellStyle(alignment: .left, border: true, wrap: true)
        let totalName = CellStyle(bold: true, alignment: .center, border: true)
        let totalNumber = CellStyle(bold: true, alignment: .right, border: true, numberFormat: "0")

        sheet.write("附件3", row: 0, column: 0, style: CellStyle(bold: true))
        sheet.merge(rows: 1...1, columns: 0...last, content.title, style: CellStyle(bold: true, fontSize: 16, alignment: .center))
        sheet.setRow(1, height: 32)
        sheet.merge(rows: 2...2, columns: 0...4, "市(州)教育行政部门(盖章)：\(content.authority)", style: CellStyle(alignment: .left))
        sheet.merge(rows: 2...2, columns: 5...7, "填表人：\(content.filler)", style: CellStyle(alignment: .left))
        sheet.merge(rows: 2...2, columns: 8...last, "联系电话：\(content.phone)", style: CellStyle(alignment: .left))

        let top = headerRows.lowerBound, bottom = headerRows.upperBound
        sheet.merge(rows: top...top, columns: 0...1, "地区", style: header)
        sheet.write("市(州)", row: bottom, column: 0, style: header)
        sheet.write("县(市、区)", row: bottom, column: 1, style: header)
        sheet.merge(rows: top...top, columns: 2...5, "专任教师数", style: header)
        for (offset, label) in ["幼儿园", "中小学", "职业中学", "合计总数"].enumerated() {
            sheet.write(label, row: bottom, column: 2 + offset, style: header)
        }
        sheet.merge(rows: top...bottom, columns: 6...6, "已培训人数", style: header)
        sheet.merge(rows: top...bottom, columns: 7...7, "未培训人数(缺口数)", style: header)
        sheet.merge(rows: top...top, columns: 8...9, "\(content.year)培训计划数", style: header)
        sheet.write("省级及以上项目需求数", row: bottom, column: 8, style: header)
        sheet.write("市县级培训计划数", row: bottom, column: 9, style: header)
        sheet.merge(rows: top...bottom, columns: 10...10, "备注", style: header)
        sheet.setRow(bottom, height: 30)

        var row = bottom + 1
        func writeFigures(_ plan: PlanRow, gap: Int, style: CellStyle) {
            let f = plan.figures
            for (offset, value) in [f.kindergarten, f.primarySecondary, f.vocational, f.total, f.trained, gap].enumerated() {
                sheet.write(value, row: row, column: 2 + offset, style: style)
            }
            for (column, value) in [(8, plan.entry.provincialDemand), (9, plan.entry.localPlan)] {
                if let value { sheet.write(value, row: row, column: column, style: style) } else { sheet.blank(row: row, column: column, style: style) }
            }
        }
        for line in content.lines {
            sheet.write(line.city, row: row, column: 0, style: name)
            sheet.write(line.county, row: row, column: 1, style: name)
            writeFigures(line.row, gap: line.row.gap, style: number)
            sheet.write(line.remarks, row: row, column: 10, style: text)
            row += 1
        }
        sheet.merge(rows: row...row, columns: 0...1, content.totalLabel, style: totalName)
        writeFigures(PlanRow.sum(content.lines.map(\.row)), gap: PlanRow.gapSum(content.lines.map(\.row)), style: totalNumber)
        sheet.blank(row: row, column: 10, style: totalNumber)
        row += 1

        let notes = "备注：" + footnotes.joined(separator: "\n")
        sheet.merge(rows: row...row, columns: 0...last, notes, style: CellStyle(alignment: .left, wrap: true))
        sheet.setRow(row, height: 18 * 6)

        sheet.setColumns(0...1, width: 14)
        sheet.setColumns(2...7, width: 10)
        sheet.setColumns(8...9, width: 12)
        sheet.setColumns(10...10, width: 30)
        sheet.freezePanes(row: bottom + 1, column: 2)
        sheet.printA4Landscape(repeatingRows: headerRows)
        try workbook.close()
    }
}

extension PlanWorkbook {
    /// The first sheet of a workbook as texts, row 1 first, for reading a filled-in Appendix 3
    /// back (at most `maxRows` rows: the form has one per county).
    public static func readCells(url: URL, fileName: String, maxRows: Int = 2_000) throws -> [[String]] {
        final class FirstSheet: CellSink {
            var rows: [[String]] = []
            var sheets = 0
            let maxRows: Int
            init(maxRows: Int) { self.maxRows = maxRows }
            func beginSheet(named name: String) throws { sheets += 1 }
            func row(_ cells: [CellValue]) throws {
                guard sheets == 1 else { return }
                guard rows.count < maxRows else { throw SheetError(.tooLarge, "表格超过 \(maxRows) 行，不是附件3 表样") }
                rows.append(cells.map(\.text))
            }
            func endSheet() throws {}
        }
        let sink = FirstSheet(maxRows: maxRows)
        try WorkbookCells.read(url: url, fileName: fileName, into: sink)
        return sink.rows
    }
}
