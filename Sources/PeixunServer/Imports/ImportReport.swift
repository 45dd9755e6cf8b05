import PeixunCore
import PeixunSheets
import Vapor

/// What an import (teachers, official counts, …) found and did. `--json` prints exactly this object.
struct ImportReport: Content {
    var rows = 0
    var valid = 0
    var created = 0
    var updated = 0
    var unchanged = 0
    var errors: [RowIssue] = []
    /// What was normalised safely, said back so that nobody is surprised.
    var notes: [RowIssue] = []
    var ignoredColumns: [String] = []
    var newSchools: [String] = []
    var committed = false
    var fileName = ""
    var sha256 = ""

    /// 0 nothing wrong, 1 some rows refused; a refused file (2) never gets a report.
    var exitStatus: Int32 { errors.isEmpty ? 0 : 1 }
}

/// The original cells of a refused row, for the error workbook.
struct RefusedRow: Sendable {
    let row: Int
    let cells: [String]
}

/// An import's report with what the error workbook needs: the header and the refused rows.
struct ImportOutcome: Sendable {
    let report: ImportReport
    let header: [String]
    let refused: [RefusedRow]
    /// Header label → column index, to highlight the cells an error names.
    let columnIndex: [String: Int]

    /// Writes the refused rows as an error workbook; nil when nothing was refused.
    func writeErrorWorkbook(to path: String) throws -> Bool {
        guard !refused.isEmpty else { return false }
        let byRow = Dictionary(grouping: report.errors, by: \.row)
        let rows = refused.map { row in
            let issues = byRow[row.row] ?? []
            return ErrorWorkbook.Row(
                number: row.row, cells: row.cells,
                badColumns: Set(issues.compactMap { columnIndex[$0.column] }),
                explanation: issues.map { "\($0.column)：\($0.message)" }.joined(separator: "；"))
        }
        try ErrorWorkbook.write(header: header, rows: rows, to: path)
        return true
    }

    /// The error workbook as a download named after the uploaded file (“…-错误行.xlsx”); the
    /// imports' preview and the province's review of an institution's list both offer it.
    func errorWorkbookResponse(uploadedAs fileName: String) throws -> Response {
        let path = NSTemporaryDirectory() + "peixun-errors-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard try writeErrorWorkbook(to: path) else { throw AppError.notFound("错误行") }
        return try TableDownload.file(at: path, fileName: (fileName as NSString).deletingPathExtension + "-错误行", asciiFileName: "errors")
    }
}
