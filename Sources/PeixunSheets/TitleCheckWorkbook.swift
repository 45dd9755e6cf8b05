/// 职称评审核验结果: one row per row of the reviewer's list, in its order, with the verdict.
public enum TitleCheckWorkbook {
    public struct Row: Sendable {
        public let sourceRow: Int
        public let name: String
        public let maskedID: String
        public let applicationDate: String
        /// 符合, 不符合 or 无法核验.
        public let verdict: String
        public let reason: String
        public let certificates: String

        public init(sourceRow: Int, name: String, maskedID: String, applicationDate: String, verdict: String, reason: String, certificates: String) {
            self.sourceRow = sourceRow
            self.name = name
            self.maskedID = maskedID
            self.applicationDate = applicationDate
            self.verdict = verdict
            self.reason = reason
            self.certificates = certificates
        }
    }

    public static let header = ["原行号", "姓名", "身份证号码", "申报日期", "结论", "说明", "结业证书（编号 签发日期 状态）"]

    public static func write(_ rows: [Row], title: String, to path: String) throws {
        let workbook = try XlsxWorkbook(path: path)
        workbook.setProperties(title: title, author: "Peixun")
        let sheet = try workbook.addSheet(named: "核验结果")
        let titleStyle = CellStyle(bold: true, fontSize: 14, alignment: .center)
        let headerStyle = CellStyle(bold: true, alignment: .center, border: true, background: 0xF2F2F2)
        let plain = CellStyle(border: true, numberFormat: "@")
        let wrap = CellStyle(border: true, wrap: true)
        let no = CellStyle(border: true, background: 0xFFC7CE)
        sheet.merge(rows: 0...0, columns: 0...(header.count - 1), title, style: titleStyle)
        for (index, label) in header.enumerated() { sheet.write(label, row: 1, column: index, style: headerStyle) }
        for (offset, row) in rows.enumerated() {
            let line = offset + 2
            sheet.write(row.sourceRow, row: line, column: 0, style: plain)
            sheet.write(row.name, row: line, column: 1, style: plain)
            sheet.write(row.maskedID, row: line, column: 2, style: plain)
            sheet.write(row.applicationDate, row: line, column: 3, style: plain)
            sheet.write(row.verdict, row: line, column: 4, style: row.verdict == "符合" ? plain : no)
            sheet.write(row.reason, row: line, column: 5, style: wrap)
            sheet.write(row.certificates, row: line, column: 6, style: wrap)
        }
        sheet.setColumns(0...0, width: 8)
        sheet.setColumns(1...1, width: 12)
        sheet.setColumns(2...3, width: 20)
        sheet.setColumns(4...4, width: 10)
        sheet.setColumns(5...6, width: 44)
        sheet.freezePanes(row: 2, column: 0)
        sheet.printA4Landscape(repeatingRows: 1...1)
        try workbook.close()
    }
}
