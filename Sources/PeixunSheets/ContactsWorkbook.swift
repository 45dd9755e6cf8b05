import Foundation
import PeixunCore

/// The notice's 附件4 项目联系人信息表 as .xlsx: title, the 盖章 / 填表人 / 联系电话 line, one row per
/// city and county — 序号, 市(州), 县(市、区), 责任部门, 联系人, 职务, 办公电话, 手机, 电子邮箱 — blank
/// where a unit has not filled in its contact, so the gaps show on paper too.
public enum ContactsWorkbook {
    public struct Row: Sendable, Equatable {
        public let city: String
        /// The county's name, or 市州本级 for the city's own contact.
        public let county: String
        public let contact: ContactDetails?

        public init(city: String, county: String, contact: ContactDetails?) {
            self.city = city
            self.county = county
            self.contact = contact
        }
    }

    public static let headings = ["序号", "市(州)", "县(市、区)", "责任部门", "联系人", "职务", "办公电话", "手机", "电子邮箱"]

    public static func write(_ rows: [Row], regionName: String, year: Int, to path: String) throws {
        let workbook = try XlsxWorkbook(path: path)
        let sheet = try workbook.addSheet(named: "项目联系人信息表")
        let lastColumn = headings.count - 1
        sheet.merge(rows: 0...0, columns: 0...lastColumn, "\(year)年项目联系人信息表", style: CellStyle(bold: true, fontSize: 16, alignment: .center))
        sheet.merge(rows: 1...1, columns: 0...lastColumn,
                    "\(regionName)教育行政部门（盖章）　　　　　　填表人：　　　　　　联系电话：", style: CellStyle(alignment: .left))
        let header = CellStyle(bold: true, alignment: .center, border: true, wrap: true, background: 0xF2F2F2)
        for (column, heading) in headings.enumerated() { sheet.write(heading, row: 2, column: column, style: header) }
        let cell = CellStyle(alignment: .left, border: true)
        for (index, line) in rows.enumerated() {
            let row = 3 + index
            sheet.write(index + 1, row: row, column: 0, style: CellStyle(alignment: .center, border: true))
            let texts = [line.city, line.county, line.contact?.department, line.contact?.person, line.contact?.title,
                         line.contact?.officePhone, line.contact?.mobile, line.contact?.email]
            for (offset, text) in texts.enumerated() {
                if let text { sheet.write(text, row: row, column: 1 + offset, style: cell) } else { sheet.blank(row: row, column: 1 + offset, style: cell) }
            }
        }
        var note = CellStyle(alignment: .left, wrap: true)
        note.fontSize = 10
        let noteRow = 3 + rows.count + 1
        sheet.merge(rows: noteRow...noteRow, columns: 0...lastColumn,
                    "备注：请各市(州)确定责任部门和工作联系人，于 3月31日前将联系人信息表报送省执行办；空白行为尚未填写联系人的单位。", style: note)
        sheet.setColumns(0...0, width: 6)
        sheet.setColumns(1...2, width: 16)
        sheet.setColumns(3...3, width: 22)
        sheet.setColumns(4...5, width: 10)
        sheet.setColumns(6...7, width: 16)
        sheet.setColumns(8...8, width: 26)
        sheet.printA4Landscape(repeatingRows: 2...2)
        try workbook.close()
    }
}
