import Foundation
import PeixunSheets
import Vapor

/// A list handed to an office as a file: a titled .xlsx (text cells, so that IDs and phone
/// numbers stay as typed) or a UTF-8 CSV with a BOM (so that Excel does not garble Chinese).
struct TableDownload {
    let title: String
    let sheetName: String
    let headers: [String]
    /// Column widths in characters, one per header.
    let widths: [Double]
    let rows: [[String]]
    /// The file name the browser offers, without extension; an ASCII fallback for old browsers.
    let fileName: String
    let asciiFileName: String

    enum Format: String, CaseIterable { case xlsx, csv }

    static func format(_ text: String?) throws -> Format {
        guard let format = Format(rawValue: text ?? "xlsx") else {
            throw AppError.badRequest(code: "format.invalid", "格式只能是 xlsx 或 csv")
        }
        return format
    }

    func response(_ format: Format) throws -> Response {
        let response: Response
        switch format {
        case .csv:
            response = Response(status: .ok, body: .init(data: csv()))
            response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        case .xlsx:
            response = Response(status: .ok, body: .init(data: try workbook()))
            response.headers.contentType = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        }
        let encoded = (fileName + "." + format.rawValue).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? asciiFileName
        response.headers.replaceOrAdd(name: .contentDisposition,
                                      value: "attachment; filename=\"\(asciiFileName).\(format.rawValue)\"; filename*=UTF-8''\(encoded)")
        return response
    }

    /// A finished workbook on disk as a download.
    static func file(at path: String, fileName: String, asciiFileName: String) throws -> Response {
        let response = Response(status: .ok, body: .init(data: try Data(contentsOf: URL(fileURLWithPath: path))))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        let encoded = (fileName + ".xlsx").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? asciiFileName
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(asciiFileName).xlsx\"; filename*=UTF-8''\(encoded)")
        return response
    }

    /// Writes the same file to `path` (an export job's result, served later).
    func write(_ format: Format, to path: String) throws {
        switch format {
        case .csv:
            // Line by line, a thousand at a time: the whole text of 100,000 rows held twice would cost more than the rows.
            FileManager.default.createFile(atPath: path, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.write(contentsOf: Data([0xEF, 0xBB, 0xBF]))
            func line(_ cells: [String]) -> String { cells.map(CSVField.escape).joined(separator: ",") + "\r\n" }
            try handle.write(contentsOf: Data(line(headers).utf8))
            for start in stride(from: 0, to: rows.count, by: 1000) {
                try handle.write(contentsOf: Data(rows[start..<min(start + 1000, rows.count)].map(line).joined().utf8))
            }
        case .xlsx: try writeWorkbook(to: path)
        }
    }

    private func csv() -> Data {
        let text = ([headers] + rows).map { $0.map(CSVField.escape).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
        return Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
    }

    private func workbook() throws -> Data {
        let path = NSTemporaryDirectory() + "peixun-list-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try writeWorkbook(to: path)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    private func writeWorkbook(to path: String) throws {
        let workbook = try XlsxWorkbook(path: path, constantMemory: true)
        let sheet = try workbook.addSheet(named: sheetName)
        let lastColumn = max(0, headers.count - 1)
        sheet.merge(rows: 0...0, columns: 0...lastColumn, title, style: CellStyle(bold: true, fontSize: 14, alignment: .center))
        let header = CellStyle(bold: true, alignment: .center, border: true, background: 0xF2F2F2)
        for (column, text) in headers.enumerated() { sheet.write(text, row: 1, column: column, style: header) }
        let cell = CellStyle(border: true, numberFormat: "@")
        for (offset, line) in rows.enumerated() {
            for (column, value) in line.enumerated() { sheet.write(value, row: offset + 2, column: column, style: cell) }
        }
        for (column, width) in widths.enumerated() { sheet.setColumns(column...column, width: width) }
        sheet.printA4Landscape(repeatingRows: 1...1)
        try workbook.close()
    }
}
