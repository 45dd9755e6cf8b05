import Foundation
import PeixunCore

/// The notice's 整合培训项目教师参训情况汇总(样)表 as .xlsx: title, the 盖章 / 填表人 / 联系电话
/// line, 项目名称, a two-row header with each year merged over 分配人数 and 核实人数, the areas,
/// the subtotal, and the notice's footnote.
public enum IntegrationSummaryWorkbook {
    public static func write(_ summary: IntegrationSummary, project: String, regionName: String, filler: String = "", phone: String = "",
                             to path: String) throws {
        let workbook = try XlsxWorkbook(path: path)
        let sheet = try workbook.addSheet(named: "汇总表")
        let years = IntegrationSummary.years
        let lastColumn = years.count * 2
        sheet.merge(rows: 0...0, columns: 0...lastColumn, "整合培训项目教师参训情况汇总表", style: CellStyle(bold: true, fontSize: 16, alignment: .center))
        sheet.merge(rows: 1...1, columns: 0...lastColumn,
                    "\(regionName)教育行政部门（盖章）　　　　　　填表人：\(filler)　　　　　　联系电话：\(phone)", style: CellStyle(alignment: .left))
        sheet.merge(rows: 2...2, columns: 0...lastColumn, "项目名称：\(project)", style: CellStyle(alignment: .left))
        let header = CellStyle(bold: true, alignment: .center, border: true, wrap: true, background: 0xF2F2F2)
        sheet.merge(rows: 3...4, columns: 0...0, "地区", style: header)
        for (index, year) in years.enumerated() {
            sheet.merge(rows: 3...3, columns: (1 + index * 2)...(2 + index * 2), "\(year)年", style: header)
            sheet.write("分配人数", row: 4, column: 1 + index * 2, style: header)
            sheet.write("核实人数", row: 4, column: 2 + index * 2, style: header)
        }
        let name = CellStyle(alignment: .left, border: true)
        let number = CellStyle(alignment: .right, border: true, numberFormat: "#,##0")
        var row = 5
        for line in summary.rows + [summary.total] {
            let isTotal = line.code == nil
            var nameStyle = name
            var numberStyle = number
            nameStyle.bold = isTotal
            numberStyle.bold = isTotal
            sheet.write(line.name, row: row, column: 0, style: nameStyle)
            for (index, cell) in line.cells.enumerated() {
                sheet.write(cell.allocated, row: row, column: 1 + index * 2, style: numberStyle)
                sheet.write(cell.verified, row: row, column: 2 + index * 2, style: numberStyle)
            }
            row += 1
        }
        var note = CellStyle(alignment: .left, wrap: true)
        note.fontSize = 10
        sheet.merge(rows: (row + 1)...(row + 1), columns: 0...lastColumn,
                    "备注：本表分项目填报，“分配人数”填写省级逐级下发的参训合格人数（培训机构提供）；“核实人数”指核实反馈的参训合格教师数（与参训合格教师信息反馈表统计人数一致）。",
                    style: note)
        sheet.setRow(row + 1, height: 36)
        sheet.setColumns(0...0, width: 18)
        sheet.setColumns(1...lastColumn, width: 10)
        sheet.printA4Landscape(repeatingRows: 3...4)
        try workbook.close()
    }
}
