/// The rows an import refused, as uploaded, with a 错误说明 column and the bad cells
/// highlighted: fix them in Excel and upload this file again.
public enum ErrorWorkbook {
    public struct Row: Sendable {
        public let number: Int
        public let cells: [String]
        /// Column indexes to highlight.
        public let badColumns: Set<Int>
        public let explanation: String

        public init(number: Int, cells: [String], badColumns: Set<Int>, explanation: String) {
            self.number = number
            self.cells = cells
            self.badColumns = badColumns
            self.explanation = explanation
        }
    }

    public static func write(header: [String], rows: [Row], to path: String) throws {
        let workbook = try XlsxWorkbook(path: path)
        let sheet = try workbook.addSheet(named: "错误行")
        let headerStyle = CellStyle(bold: true, alignment: .center, border: true, background: 0xF2F2F2)
        let plain = CellStyle(border: true, numberFormat: "@")
        let bad = CellStyle(border: true, numberFormat: "@", background: 0xFFC7CE)
        let note = CellStyle(border: true, wrap: true)
        let columns = max(header.count, rows.map(\.cells.count).max() ?? 0)
        sheet.write("原行号", row: 0, column: 0, style: headerStyle)
        for index in 0..<columns { sheet.write(index < header.count ? header[index] : "", row: 0, column: index + 1, style: headerStyle) }
        sheet.write("错误说明", row: 0, column: columns + 1, style: headerStyle)
        for (offset, row) in rows.enumerated() {
            let line = offset + 1
            sheet.write(row.number, row: line, column: 0, style: plain)
            for index in 0..<columns {
                let text = index < row.cells.count ? row.cells[index] : ""
                // Every cell as text, so that Excel cannot swallow an ID number again.
                sheet.write(text, row: line, column: index + 1, style: row.badColumns.contains(index) ? bad : plain)
            }
            sheet.write(row.explanation, row: line, column: columns + 1, style: note)
        }
        sheet.setColumns(0...0, width: 8)
        sheet.setColumns(1...max(columns, 1), width: 18)
        sheet.setColumns((columns + 1)...(columns + 1), width: 60)
        sheet.freezePanes(row: 1, column: 1)
        try workbook.close()
    }
}
