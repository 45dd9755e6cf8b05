import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import SQLKit

/// Imports 专任教师数 per county × stage for one school year, through the same pipeline as
/// the roster: dry run, every bad row named, subtotals checked, one transaction, upsert by
/// county × stage × year, one audit entry.
struct OfficialCountImporter {
    struct Options: Sendable {
        var dryRun = true
        var skipInvalid = false
        var sheetName: String?
        var schoolYear: Int
        var progress: ReadProgress?
    }

    let database: any Database
    let regions: RegionDirectory
    let scope: RegionScope
    let actor: AuditLog.Actor

    static var specs: [ColumnSpec] {
        OfficialCountColumn.allCases.map { column in
            ColumnSpec(key: column.rawValue, label: column.label, aliases: column.aliases, required: column == .county)
        }
    }

    static let years = 2014...2030

    func run(url: URL, fileName: String, options: Options) async throws -> ImportOutcome {
        guard Self.years.contains(options.schoolYear) else {
            throw AppError.badRequest(code: "year.invalid", "学年“\(options.schoolYear)”无效，应为 \(Self.years.lowerBound)–\(Self.years.upperBound) 之间的年份（学年开始的年份）")
        }
        var report = ImportReport()
        report.fileName = fileName
        report.sha256 = try TeacherImporter.sha256(of: url)
        var checker: OfficialCountSheetChecker?
        // A statistics table is a few hundred rows: every row's cells are kept for the error workbook.
        var cells: [Int: [String]] = [:]
        var headerCells: [String] = []

        var tableOptions = SpreadsheetTable.Options(sheetName: options.sheetName)
        tableOptions.progress = options.progress
        let opened = try SpreadsheetTable.read(url: url, fileName: fileName, specs: Self.specs, options: tableOptions) { row, header in
            if checker == nil {
                headerCells = (0...(header.headers.keys.max() ?? 0)).map { header.headers[$0] ?? "" }
                let wide = header.columns[OfficialCountColumn.count.rawValue] == nil
                if wide, !Stage.allCases.contains(where: { stage in
                    header.columns[OfficialCountColumn.allCases.first { $0.stage == stage }!.rawValue] != nil }) {
                    throw SheetError(.missingColumns, "“\(fileName)”缺少人数列：请提供“学段”和“专任教师数”两列，或“幼儿园”“中小学”“中职”各学段一列")
                }
                checker = OfficialCountSheetChecker(regions: regions, scope: scope, wide: wide)
            }
            func cell(_ column: OfficialCountColumn) -> String { header.columns[column.rawValue].map { row[$0].text } ?? "" }
            var raw = RawOfficialCountRow(row: row.number)
            raw.city = cell(.city)
            raw.county = cell(.county)
            raw.stage = cell(.stage)
            raw.count = cell(.count)
            raw.total = cell(.total)
            for column in OfficialCountColumn.allCases {
                if let stage = column.stage, let index = header.columns[column.rawValue] { raw.stageCells[stage] = row[index].text }
            }
            report.rows += 1
            cells[row.number] = row.cells.map(\.text)
            report.errors += checker!.check(raw)
        }
        guard let checker else { throw SheetError(.empty, "“\(fileName)”的表头下没有数据行") }
        report.errors += checker.finish()
        report.ignoredColumns = opened.header.ignored
        var labelIndex: [String: Int] = [:]
        for (key, index) in opened.header.columns { if let column = OfficialCountColumn(rawValue: key) { labelIndex[column.label] = index } }
        report.errors.sort { ($0.row, $0.column) < ($1.row, $1.column) }

        // Rows in a refused row's company are not stored: an entry is valid only if its row is.
        let refusedRows = Set(report.errors.map(\.row))
        let entries = checker.entries.filter { !refusedRows.contains($0.row) }
        let existing = try await existingCounts(year: options.schoolYear, counties: Array(Set(entries.map(\.county.code))))
        var changed: [OfficialCountEntry] = []
        for entry in entries {
            switch existing[entry.county.code + "|" + entry.stage.rawValue] {
            case nil: report.created += 1; changed.append(entry)
            case entry.teachers: report.unchanged += 1
            default: report.updated += 1; changed.append(entry)
            }
        }
        report.valid = entries.count
        let outcome = ImportOutcome(report: report, header: headerCells,
                                    refused: refusedRows.sorted().map { RefusedRow(row: $0, cells: cells[$0] ?? []) }, columnIndex: labelIndex)
        guard !options.dryRun, report.errors.isEmpty || options.skipInvalid else { return outcome }
        try await commit(changed, existing: existing, year: options.schoolYear, report: &report)
        return ImportOutcome(report: report, header: outcome.header, refused: outcome.refused, columnIndex: outcome.columnIndex)
    }

    private func existingCounts(year: Int, counties: [String]) async throws -> [String: Int] {
        struct Row: Decodable { let county_code: String; let stage: String; let teachers: Int }
        let sql = database as! any SQLDatabase
        var existing: [String: Int] = [:]
        for chunk in counties.chunked(into: 200) {
            for row in try await sql.select().columns("county_code", "stage", "teachers").from(OfficialCountModel.schema)
                .where("school_year", .equal, year).where("county_code", .in, chunk).all(decoding: Row.self) {
                existing[row.county_code + "|" + row.stage] = row.teachers
            }
        }
        return existing
    }

    private func commit(_ changed: [OfficialCountEntry], existing: [String: Int], year: Int, report: inout ImportReport) async throws {
        let summary = report
        let counties = Array(Set(changed.map(\.county.code)))
        try await database.transaction { db in
            let sql = db as! any SQLDatabase
            for entry in changed {
                if existing[entry.county.code + "|" + entry.stage.rawValue] != nil {
                    try await sql.update(OfficialCountModel.schema).set("teachers", to: entry.teachers)
                        .where("county_code", .equal, entry.county.code).where("stage", .equal, entry.stage.rawValue)
                        .where("school_year", .equal, year).run()
                } else {
                    try await sql.insert(into: OfficialCountModel.schema)
                        .columns("county_code", "city_code", "stage", "school_year", "teachers")
                        .values(SQLBind(entry.county.code), SQLBind(entry.county.parentCode!), SQLBind(entry.stage.rawValue), SQLBind(year), SQLBind(entry.teachers))
                        .run()
                }
            }
            let (region, spanned) = AuditLog.filing(counties: counties, directory: regions)
            try await AuditLog.record(
                on: db, actor: actor, action: .import, objectType: "official_counts", objectID: summary.sha256,
                countyCode: region.county, cityCode: region.city,
                changes: [
                    "file": .init(before: nil, after: summary.fileName), "sha256": .init(before: nil, after: summary.sha256),
                    "school_year": .init(before: nil, after: String(year)), "rows": .init(before: nil, after: String(summary.rows)),
                    "created": .init(before: nil, after: String(summary.created)), "updated": .init(before: nil, after: String(summary.updated)),
                    "unchanged": .init(before: nil, after: String(summary.unchanged)),
                ].merging(spanned) { $1 },
                summary: "导入\(year)学年专任教师数“\(summary.fileName)”：新增 \(summary.created) 项，更新 \(summary.updated) 项，未变 \(summary.unchanged) 项")
        }
        report.committed = true
    }
}
