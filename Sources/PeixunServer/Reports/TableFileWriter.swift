import Foundation
import PeixunSheets

/// What a list file is, apart from its rows: its title line, sheet, headers and the names the
/// browser offers.
struct TableLayout: Sendable {
    let title: String
    let sheetName: String
    let headers: [String]
    /// Column widths in characters, one per header.
    let widths: [Double]
    /// The file name the browser offers, without extension; an ASCII fallback for old browsers.
    let fileName: String
    let asciiFileName: String

    /// One sheet holds 1,048,576 rows; the title and the header take two. A CSV keeps the same
    /// bound so that Excel opens it whole.
    static let maxRows = 1_048_574

    /// Refuses a list that would not fit one sheet, saying how many it has and what to do.
    static func checkRowLimit(_ rows: Int, what: String) throws {
        guard rows <= maxRows else {
            throw AppError.badRequest(
                code: "export.too_large",
                "符合条件的\(what)有 \(rows) 人，超过一个 Excel 工作表能容纳的 \(maxRows) 行（工作表最多 1048576 行，另占标题和表头两行），无法导出为一个文件；请按市(州)或县(市、区)分别导出")
        }
    }
}

/// Writes a list file row by row, so that a list of any length costs the memory of the rows
/// handed in at once: the .xlsx through libxlsxwriter's constant-memory mode (a row goes to a
/// temporary file as soon as the next one starts; `finish` zips the sheet), the CSV straight
/// to its file. The direct download and the export job both write through it, so the two
/// files are the same. Used by one task at a time.
final class TableFileWriter: @unchecked Sendable {
    private enum Target {
        case csv(FileHandle)
        case xlsx(XlsxWorkbook, XlsxSheet)
    }

    private var target: Target
    private let cell = CellStyle(border: true, numberFormat: "@")
    /// Data rows written so far.
    private(set) var rows = 0

    init(_ layout: TableLayout, format: TableDownload.Format, path: String) throws {
        switch format {
        case .csv:
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw AppError(.internalServerError, code: "export.file", "无法写入导出文件")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            target = .csv(handle)
            try handle.write(contentsOf: Data([0xEF, 0xBB, 0xBF]) + Data(Self.csvLine(layout.headers).utf8))
        case .xlsx:
            let workbook = try XlsxWorkbook(path: path, constantMemory: true)
            let sheet = try workbook.addSheet(named: layout.sheetName)
            let lastColumn = max(0, layout.headers.count - 1)
            sheet.merge(rows: 0...0, columns: 0...lastColumn, layout.title, style: CellStyle(bold: true, fontSize: 14, alignment: .center))
            let header = CellStyle(bold: true, alignment: .center, border: true, background: 0xF2F2F2)
            for (column, text) in layout.headers.enumerated() { sheet.write(text, row: 1, column: column, style: header) }
            for (column, width) in layout.widths.enumerated() { sheet.setColumns(column...column, width: width) }
            sheet.printA4Landscape(repeatingRows: 1...1)
            target = .xlsx(workbook, sheet)
        }
    }

    /// One CSV line, CRLF-terminated as Excel writes them.
    static func csvLine(_ cells: [String]) -> String {
        cells.map(CSVField.escape).joined(separator: ",") + "\r\n"
    }

    func append(_ lines: [[String]]) throws {
        try TableLayout.checkRowLimit(rows + lines.count, what: "记录")
        switch target {
        case .csv(let handle):
            try handle.write(contentsOf: Data(lines.map(Self.csvLine).joined().utf8))
        case .xlsx(_, let sheet):
            for (offset, line) in lines.enumerated() {
                for (column, value) in line.enumerated() { sheet.write(value, row: rows + offset + 2, column: column, style: cell) }
            }
        }
        rows += lines.count
    }

    /// Completes the file (for an .xlsx, zips it: seconds for hundreds of thousands of rows).
    func finish() throws {
        switch target {
        case .csv(let handle): try handle.close()
        case .xlsx(let workbook, _): try workbook.close()
        }
    }
}
