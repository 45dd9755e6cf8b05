import Foundation

/// 导入模板: an import's header row exactly as its importer expects, one example row, and a
/// second sheet 填写说明. The header is on the first row of the first sheet, so every reader
/// (which takes the first sheet with a recognisable header) finds it; the notes live on their
/// own sheet because a note under the example would be read as a data row.
public enum ImportTemplateWorkbook {
    public struct Content: Sendable {
        public var title: String
        public var sheetName: String
        public var headers: [String]
        public var example: [String]
        /// Columns whose example is a number (written as a number, not text).
        public var numericColumns: Set<Int>
        public var notes: [String]

        public init(title: String, sheetName: String, headers: [String], example: [String], numericColumns: Set<Int> = [], notes: [String]) {
            self.title = title
            self.sheetName = sheetName
            self.headers = headers
            self.example = example
            self.numericColumns = numericColumns
            self.notes = notes
        }
    }

    public static func write(_ content: Content, to path: String) throws {
        precondition(content.headers.count == content.example.count, "one example cell per header")
        let workbook = try XlsxWorkbook(path: path)
        workbook.setProperties(title: content.title, author: "四川省中小学教师信息技术应用能力提升工程执行办公室")
        let sheet = try workbook.addSheet(named: content.sheetName)
        let header = CellStyle(bold: true, alignment: .center, border: true, background: 0xF2F2F2)
        // Text format, so that Excel keeps an 18-digit ID and a leading zero as typed.
        let text = CellStyle(border: true, numberFormat: "@")
        let number = CellStyle(alignment: .right, border: true, numberFormat: "0")
        for (column, label) in content.headers.enumerated() {
            sheet.write(label, row: 0, column: column, style: header)
            let value = content.example[column]
            if content.numericColumns.contains(column), let figure = Int(value) {
                sheet.write(figure, row: 1, column: column, style: number)
            } else {
                sheet.write(value, row: 1, column: column, style: text)
            }
            sheet.setColumns(column...column, width: Self.width(label: label, example: value))
        }
        sheet.freezePanes(row: 1, column: 0)
        sheet.printA4Landscape(repeatingRows: 0...0)

        let help = try workbook.addSheet(named: "填写说明")
        help.write(content.title, row: 0, column: 0, style: CellStyle(bold: true, fontSize: 14))
        for (offset, note) in content.notes.enumerated() {
            help.write(note, row: offset + 2, column: 0, style: CellStyle(alignment: .left, wrap: true))
        }
        help.setColumns(0...0, width: 100)
        try workbook.close()
    }

    /// A column as wide as its longer cell; CJK characters count double.
    static func width(label: String, example: String) -> Double {
        func span(_ text: String) -> Int { text.unicodeScalars.reduce(0) { $0 + ($1.value > 0x2E80 ? 2 : 1) } }
        return Double(min(40, max(8, max(span(label), span(example)) + 2)))
    }
}
