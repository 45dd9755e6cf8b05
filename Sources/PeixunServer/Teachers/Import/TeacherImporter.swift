import Crypto
import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import SQLKit

/// Imports a teacher roster: reads the file, checks every row, and — unless it is a dry run
/// or rows were refused without `skipInvalid` — writes everything in one transaction.
/// Importing the same file twice changes nothing the second time (upsert by resident ID).
struct TeacherImporter {
    struct Options: Sendable {
        var dryRun = true
        var skipInvalid = false
        var createSchools = false
        var sheetName: String?
        var maxRows = 1_000_000
    }

    let database: any Database
    let regions: RegionDirectory
    let scope: RegionScope
    let actor: AuditLog.Actor

    static var specs: [ColumnSpec] {
        TeacherColumn.allCases.map { ColumnSpec(key: $0.rawValue, label: $0.label, aliases: $0.aliases, required: $0.required) }
    }

    func run(url: URL, fileName: String, options: Options) async throws -> ImportOutcome {
        var report = ImportReport()
        report.fileName = fileName
        report.sha256 = try Self.sha256(of: url)
        var validator = TeacherRowValidator(regions: regions, scope: scope)
        var checked: [CheckedTeacherRow] = []
        var refused: [Int: [String]] = [:]
        var firstRowOfID: [String: Int] = [:]
        var tableOptions = SpreadsheetTable.Options(sheetName: options.sheetName)
        tableOptions.limits.maxRows = options.maxRows
        var headerCells: [String] = []

        let opened = try SpreadsheetTable.read(url: url, fileName: fileName, specs: Self.specs, options: tableOptions) { row, header in
            if headerCells.isEmpty {
                headerCells = (0...(header.headers.keys.max() ?? 0)).map { header.headers[$0] ?? "" }
            }
            report.rows += 1
            var raw = RawTeacherRow(row: row.number, values: [:])
            for column in TeacherColumn.allCases {
                guard let index = header.columns[column.rawValue] else { continue }
                let cell = row[index]
                raw.values[column] = cell.text
                if column == .residentID, case .number = cell { raw.idWasNumber = true }
            }
            let outcome = validator.check(raw)
            report.notes += outcome.notes
            var errors = outcome.errors
            if let good = outcome.checked {
                if let first = firstRowOfID[good.residentID.value] {
                    errors.append(RowIssue(row: row.number, column: TeacherColumn.residentID.label, code: "id.duplicate_in_file",
                                           message: "身份证号码与第\(first)行重复"))
                } else {
                    firstRowOfID[good.residentID.value] = row.number
                    checked.append(good)
                }
            }
            if !errors.isEmpty {
                report.errors += errors
                refused[row.number] = row.cells.map(\.text)
            }
        }
        report.ignoredColumns = opened.header.ignored
        var labelIndex: [String: Int] = [:]
        for (key, index) in opened.header.columns { if let column = TeacherColumn(rawValue: key) { labelIndex[column.label] = index } }

        let resolved = try await resolveAgainstDatabase(checked, createSchools: options.createSchools, report: &report)
        checked = []
        for row in resolved.refusedRows { refused[row] = refused[row] ?? [] }
        report.valid = resolved.rows.count
        report.created = resolved.rows.filter { $0.existing == nil }.count
        report.updated = resolved.rows.filter { $0.existing != nil && $0.changes.isEmpty == false }.count
        report.unchanged = resolved.rows.filter { $0.existing != nil && $0.changes.isEmpty }.count
        report.errors.sort { ($0.row, $0.column) < ($1.row, $1.column) }

        let refusedRows = refused.keys.sorted().map { RefusedRow(row: $0, cells: refused[$0] ?? []) }
        guard !options.dryRun, report.errors.isEmpty || options.skipInvalid else {
            return ImportOutcome(report: report, header: headerCells, refused: refusedRows, columnIndex: labelIndex)
        }
        try await commit(resolved, report: &report)
        return ImportOutcome(report: report, header: headerCells, refused: refusedRows, columnIndex: labelIndex)
    }

    static func sha256(of url: URL) throws -> String {
        var hasher = SHA256()
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

