import Crypto
import Fluent
import FluentSQLiteDriver
import Foundation
import PeixunCore
import PeixunSheets
import SQLKit

/// Imports a teacher roster: reads the file, checks every row, and — unless it is a dry run
/// or rows were refused without `skipInvalid` — writes everything in one transaction.
/// Importing the same file twice changes nothing the second time (upsert by resident ID).
///
/// A province's roster is 737,686 rows, so a checked row is kept compact (`PendingTeacher`:
/// the ID as a number, the county and school as indexes) and nothing is copied per row.
struct TeacherImporter {
    struct Options: Sendable {
        var dryRun = true
        var skipInvalid = false
        var createSchools = false
        var sheetName: String?
        var maxRows = 1_000_000
        /// Rows read and the phase, for the upload page's progress bar.
        var progress: ReadProgress?
    }

    let database: any Database
    let regions: RegionDirectory
    let scope: RegionScope
    let actor: AuditLog.Actor

    static var specs: [ColumnSpec] {
        TeacherColumn.allCases.map { ColumnSpec(key: $0.rawValue, label: $0.label, aliases: $0.aliases, required: $0.required) }
    }

    func run(url: URL, fileName: String, options: Options) async throws -> ImportOutcome {
        // Not on PostgreSQL: there an `INSERT … SELECT` from a temporary table cost what the
        // `COPY` into `teachers` costs, and filling it during the read slowed the read on two
        // cores (a province: 7.8–10.7 s against 6.7–7.9 s, bench/README.md).
        guard !options.dryRun, database is any SQLiteDatabase, try await !Self.hasTeachers(on: database) else {
            return try await importRoster(url: url, fileName: fileName, options: options, staging: nil)
        }
        // A first load stages its rows on one connection: temporary tables are per connection.
        let (regions, scope, actor) = (regions, scope, actor)
        return try await database.withConnection { connection in
            let pinned = TeacherImporter(database: connection, regions: regions, scope: scope, actor: actor)
            let staging = try await RosterStaging.open(on: connection)
            do {
                let outcome = try await pinned.importRoster(url: url, fileName: fileName, options: options, staging: staging)
                try await staging.close()
                return outcome
            } catch {
                try? await staging.close()
                throw error
            }
        }
    }

    private func importRoster(url: URL, fileName: String, options: Options, staging: RosterStaging?) async throws -> ImportOutcome {
        let clock = ContinuousClock()
        let started = clock.now
        var report = ImportReport()
        report.fileName = fileName
        // Hashed beside the reading, which leaves a core idle while it loads the shared strings.
        async let digest = Self.sha256(of: url)
        var tableOptions = SpreadsheetTable.Options(sheetName: options.sheetName)
        tableOptions.limits.maxRows = options.maxRows
        tableOptions.progress = options.progress
        let check = RosterCheck(validator: TeacherRowValidator(regions: regions, scope: scope, today: actor.clock.today()), staging: staging)
        let opened = try await SpreadsheetTable.readInBackground(url: url, fileName: fileName, specs: Self.specs, options: tableOptions) { row, header in
            check.consume(row, header: header)
        }
        check.flushStaging()
        try await staging?.finish()
        report.sha256 = try await digest
        var batch = check.takeBatch()
        var refused = check.refused
        let headerCells = check.headerCells
        report.rows = check.rows
        report.errors = check.errors
        report.notes = check.notes
        let read = clock.now
        report.ignoredColumns = opened.header.ignored
        var labelIndex: [String: Int] = [:]
        for (key, index) in opened.header.columns { if let column = TeacherColumn(rawValue: key) { labelIndex[column.label] = index } }

        options.progress?.enter(.checking)
        try await resolveAgainstDatabase(&batch, createSchools: options.createSchools, report: &report)
        for row in batch.rows where row.refused { refused[Int(row.row)] = refused[Int(row.row)] ?? [] }
        report.errors.sort { ($0.row, $0.column) < ($1.row, $1.column) }
        let resolved = clock.now

        let refusedRows = refused.keys.sorted().map { RefusedRow(row: $0, cells: refused[$0] ?? []) }
        let outcome = ImportOutcome(report: report, header: headerCells, refused: refusedRows, columnIndex: labelIndex)
        guard !options.dryRun, report.errors.isEmpty || options.skipInvalid else {
            database.logger.debug("teacher import \(fileName): read+check \(read - started), registry \(resolved - read)")
            return outcome
        }
        options.progress?.enter(.writing)
        try await commit(batch, report: &report, staging: staging)
        database.logger.debug("teacher import \(fileName): read+check \(read - started), registry \(resolved - read), write \(clock.now - resolved)")
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

/// The per-row checks of a roster, run on the checking thread of `readInBackground`; the
/// importer reads the results once reading has ended.
final class RosterCheck: @unchecked Sendable {
    private var validator: TeacherRowValidator
    private let staging: RosterStaging?
    private var stagedRows = 0
    private var firstRowOfID: [Int64: Int32] = [:]
    private var columnOf: [(TeacherColumn, Int)] = []
    private(set) var batch = PendingBatch()
    private(set) var refused: [Int: [String]] = [:]
    private(set) var headerCells: [String] = []
    private(set) var rows = 0
    private(set) var errors: [RowIssue] = []
    private(set) var notes: [RowIssue] = []

    init(validator: TeacherRowValidator, staging: RosterStaging? = nil) {
        self.validator = validator
        self.staging = staging
    }

    /// Sends the rows checked since the last chunk to the staging table's writer.
    func flushStaging() {
        guard let staging, stagedRows < batch.rows.count else { return }
        staging.send(Array(batch.rows[stagedRows...]))
        stagedRows = batch.rows.count
    }

    /// Hands the checked rows over without a copy (a province is 737,686 of them).
    func takeBatch() -> PendingBatch {
        firstRowOfID = [:]
        defer { batch = PendingBatch() }
        return batch
    }

    func consume(_ row: SheetRow, header: HeaderMatch) {
        if headerCells.isEmpty {
            headerCells = (0...(header.headers.keys.max() ?? 0)).map { header.headers[$0] ?? "" }
            columnOf = TeacherColumn.allCases.compactMap { column in header.columns[column.rawValue].map { (column, $0) } }
        }
        rows += 1
        var raw = RawTeacherRow(row: row.number)
        for (column, index) in columnOf {
            let cell = row[index]
            raw[column] = cell.text
            if column == .residentID, case .number = cell { raw.idWasNumber = true }
        }
        let outcome = validator.check(raw)
        if !outcome.notes.isEmpty { notes += outcome.notes }
        var rowErrors = outcome.errors
        if let good = outcome.checked {
            let key = good.residentID.packed
            if let first = firstRowOfID[key] {
                rowErrors.append(RowIssue(row: row.number, column: TeacherColumn.residentID.label, code: "id.duplicate_in_file",
                                          message: "身份证号码与第\(first)行重复"))
            } else {
                firstRowOfID[key] = Int32(row.number)
                batch.append(good)
                if batch.rows.count - stagedRows == RosterStaging.chunkSize { flushStaging() }
            }
        }
        if !rowErrors.isEmpty {
            errors += rowErrors
            refused[row.number] = row.cells.map(\.text)
        }
    }
}

/// One checked roster row, compact: the ID as a number, county and school as indexes into
/// the batch's tables. Names and phone numbers fit Swift's inline small strings.
struct PendingTeacher: Sendable {
    var row: Int32
    var county: Int16
    var school: Int32
    var stage: Stage?
    var name: String
    var residentID: Int64
    var phone: String?
    /// Index into `PendingBatch.existing`, or -1 for a teacher not yet registered.
    var existing: Int32 = -1
    var refused = false
    var changed = false
}

/// The checked rows of one import with the tables their indexes point into.
struct PendingBatch: Sendable {
    struct SchoolKey: Hashable, Sendable {
        let county: Int16
        let name: String
    }

    struct School: Sendable {
        let key: SchoolKey
        /// Nil for a school the import creates.
        var id: Int?
        var stage: Stage?
    }

    var rows: [PendingTeacher] = []
    var counties: [Region] = []
    var countyIndex: [String: Int16] = [:]
    var schools: [School] = []
    var schoolIndex: [SchoolKey: Int32] = [:]
    var existing: [TeacherImporter.ExistingTeacher] = []
    /// Counties that had teachers before the import (their rollups are rebuilt, not written fresh).
    var countiesWithTeachers: Set<String> = []
    private var lastSchool: Int32?

    mutating func append(_ row: CheckedTeacherRow) {
        let county: Int16
        if let known = countyIndex[row.county.code] { county = known } else {
            county = Int16(counties.count)
            counties.append(row.county)
            countyIndex[row.county.code] = county
        }
        let school: Int32
        // Rows come sorted by school: the previous row's school, compared as bytes, saves
        // hashing a Chinese name (Unicode normalisation) for almost every row.
        if let last = lastSchool, schools[Int(last)].key.county == county, schools[Int(last)].key.name.hasSameUTF8(as: row.schoolName) {
            school = last
        } else {
            let key = SchoolKey(county: county, name: row.schoolName)
            if let known = schoolIndex[key] { school = known } else {
                school = Int32(schools.count)
                schools.append(School(key: key, id: nil, stage: nil))
                schoolIndex[key] = school
            }
            lastSchool = school
        }
        rows.append(PendingTeacher(row: Int32(row.row), county: county, school: school, stage: row.stage, name: row.name,
                                   residentID: row.residentID.packed, phone: row.phone))
    }
}
