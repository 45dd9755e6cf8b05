import Foundation
import PeixunSheets
import Vapor

/// A list handed to an office as a file: a titled .xlsx (text cells, so that IDs and phone
/// numbers stay as typed) or a UTF-8 CSV with a BOM (so that Excel does not garble Chinese).
struct TableDownload {
    let layout: TableLayout
    let rows: [[String]]

    init(_ layout: TableLayout, rows: [[String]]) {
        self.layout = layout
        self.rows = rows
    }

    init(title: String, sheetName: String, headers: [String], widths: [Double], rows: [[String]], fileName: String, asciiFileName: String) {
        self.init(TableLayout(title: title, sheetName: sheetName, headers: headers, widths: widths, fileName: fileName, asciiFileName: asciiFileName),
                  rows: rows)
    }

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
        let encoded = (layout.fileName + "." + format.rawValue).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? layout.asciiFileName
        response.headers.replaceOrAdd(name: .contentDisposition,
                                      value: "attachment; filename=\"\(layout.asciiFileName).\(format.rawValue)\"; filename*=UTF-8''\(encoded)")
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

    /// Writes the same file to `path`.
    func write(_ format: Format, to path: String) throws {
        let writer = try TableFileWriter(layout, format: format, path: path)
        try writer.append(rows)
        try writer.finish()
    }

    private func csv() -> Data {
        Data([0xEF, 0xBB, 0xBF]) + Data(([layout.headers] + rows).map(TableFileWriter.csvLine).joined().utf8)
    }

    private func workbook() throws -> Data {
        let path = NSTemporaryDirectory() + "peixun-list-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try write(.xlsx, to: path)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }
}

