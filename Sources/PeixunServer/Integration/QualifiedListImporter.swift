import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import SQLKit

/// 合格人员名单: the province imports a cooperation project's qualified list for a year. Each
/// entry lands at its county — by the county column (name, short or historic name, code), or
/// else by its school's county — or waits in the province's triage list. The list's order is
/// kept per county (序号). Same pipeline as the roster: dry run, error workbook, one transaction;
/// importing the list again adds only the entries not yet on it.
struct QualifiedListImporter {
    struct Options: Sendable {
        var dryRun = true
        var skipInvalid = false
        var projectID: Int
        var year: Int
        var progress: ReadProgress?
        /// Set for a training institution's upload: the checked entries are kept as its proposed
        /// list (`ProposedLists`) for the province to publish, instead of reaching the counties.
        var propose: (@Sendable (_ entries: [Entry], _ report: ImportReport, _ project: ProjectModel, _ db: any Database) async throws -> Void)?
    }

    enum Column: String, CaseIterable {
        case county, school, name, residentID, phone, sequence

        var label: String {
            switch self {
            case .county: "县(市、区)"
            case .school: "所在学校"
            case .name: "教师姓名"
            case .residentID: "身份证号码"
            case .phone: "联系电话"
            case .sequence: "序号"
            }
        }

        var spec: ColumnSpec {
            let aliases: [String] = switch self {
            case .county: TeacherColumn.county.aliases
            case .school: TeacherColumn.school.aliases
            case .name: TeacherColumn.name.aliases
            case .residentID: TeacherColumn.residentID.aliases
            case .phone: TeacherColumn.phone.aliases
            case .sequence: ["编号", "序"]
            }
            return ColumnSpec(key: rawValue, label: label, aliases: aliases, required: self == .name || self == .residentID)
        }
    }

    struct Entry: Sendable {
        let row: Int
        var county: Region?
        let countyText: String
        let school: String
        let name: String
        let residentID: ResidentID
        let phone: String?
    }

    let database: any Database
    let regions: RegionDirectory
    let actor: AuditLog.Actor

    func run(url: URL, fileName: String, options: Options) async throws -> ImportOutcome {
        guard let project = try await ProjectModel.find(options.projectID, on: database),
              project.level == TrainingLevel.cooperation.rawValue else {
            throw AppError.badRequest(code: "project.invalid", "请选择一个合作项目")
        }
        guard (project.year...max(project.endYear, project.year)).contains(options.year) else {
            throw AppError.badRequest(code: "year.invalid", "“\(project.name)”的培训年度为 \(project.year)–\(project.endYear) 年，没有 \(options.year) 年")
        }
        let clock = ContinuousClock()
        var mark = clock.now
        func lap(_ phase: String) {
            database.logger.debug("qualified list \(fileName): \(phase) \(clock.now - mark)")
            mark = clock.now
        }
        var report = ImportReport()
        report.fileName = fileName
        report.sha256 = try TeacherImporter.sha256(of: url)
        var tableOptions = SpreadsheetTable.Options()
        tableOptions.progress = options.progress
        // Parsing runs on one thread and these checks on another.
        let check = QualifiedListCheck(regions: regions, today: actor.clock.today())
        let opened = try await SpreadsheetTable.readInBackground(url: url, fileName: fileName, specs: Column.allCases.map(\.spec),
                                                                 options: tableOptions) { row, header in check.consume(row, header: header) }
        // Taken, not copied: placing entries by school below would otherwise copy the whole list.
        var entries = check.takeEntries()
        let cells = check.cells
        let headerCells = check.headerCells
        report.rows = check.rows
        report.errors = check.errors
        report.notes = check.notes
        lap("read and check")
        report.ignoredColumns = opened.header.ignored
        var labelIndex: [String: Int] = [:]
        for (key, index) in opened.header.columns { if let column = Column(rawValue: key) { labelIndex[column.label] = index } }
        options.progress?.enter(.checking)

        // An entry without a recognisable county goes to its school's county when the school's
        // name is unique in the province; otherwise it waits for the province.
        let sql = database as! any SQLDatabase
        let unplaced = Set(entries.filter { $0.county == nil && !$0.school.isEmpty }.map(\.school))
        var schoolCounty: [String: String] = [:]
        for chunk in Array(unplaced).chunked(into: 500) {
            struct Row: Decodable { let name: String; let county_code: String }
            var seen: [String: Set<String>] = [:]
            for row in try await sql.select().columns("name", "county_code").from(SchoolModel.schema).where("name", .in, chunk).all(decoding: Row.self) {
                seen[row.name, default: []].insert(row.county_code)
            }
            for (name, counties) in seen where counties.count == 1 { schoolCounty[name] = counties.first }
        }
        for index in entries.indices where entries[index].county == nil {
            entries[index].county = schoolCounty[entries[index].school].flatMap { regions.region(code: $0) }
            if entries[index].county == nil {
                report.notes.append(RowIssue(row: entries[index].row, column: Column.county.label, code: "region.triage",
                                             message: "无法确定所属县(市、区)（“\(entries[index].countyText)”），暂列入省级待分配名单"))
            }
        }

        lap("placed by school")
        let batch = try await IntegrationBatchModel.query(on: database).filter(\.$projectID == options.projectID).filter(\.$year == options.year).first()
        var known = Set<String>()
        if let batchID = batch?.id {
            struct Row: Decodable { let resident_id: String }
            for chunk in entries.map(\.residentID.value).chunked(into: 1000) {
                for row in try await sql.select().column("resident_id").from(IntegrationEntryModel.schema)
                    .where("batch_id", .equal, batchID).where("resident_id", .in, chunk).all(decoding: Row.self) {
                    known.insert(row.resident_id)
                }
            }
        }
        // Positions, not a second copy of the list (a province's list is hundreds of thousands).
        let fresh = known.isEmpty ? Array(entries.indices) : entries.indices.filter { !known.contains(entries[$0].residentID.value) }
        lap("already listed")
        report.valid = entries.count
        report.created = fresh.count
        report.unchanged = entries.count - fresh.count
        report.errors.sort { ($0.row, $0.column) < ($1.row, $1.column) }
        let refused = Set(report.errors.map(\.row)).sorted().map { RefusedRow(row: $0, cells: cells[$0] ?? []) }
        let outcome = ImportOutcome(report: report, header: headerCells, refused: refused, columnIndex: labelIndex)
        guard !options.dryRun, report.errors.isEmpty || options.skipInvalid else { return outcome }

        options.progress?.enter(.writing)
        if let propose = options.propose {
            report.committed = true
            let (proposed, checked) = (report, entries)
            try await database.transaction { db in try await propose(checked, proposed, project, db) }
            return ImportOutcome(report: report, header: headerCells, refused: refused, columnIndex: labelIndex)
        }
        let summary = report
        let checked = entries
        try await database.transaction { db in
            let batchID: Int
            if let existing = batch?.id {
                batchID = existing
            } else {
                let created = IntegrationBatchModel()
                created.projectID = options.projectID
                created.year = options.year
                created.deadline = IntegrationWorkflow.defaultDeadline(year: options.year).description
                created.createdAt = actor.clock.now()
                try await created.create(on: db)
                batchID = created.id!
            }
            try await IntegrationEntries.append(fresh.lazy.map { checked[$0] }.map {
                IntegrationEntries.NewEntry(county: $0.county, listedCounty: $0.countyText, school: $0.school, name: $0.name,
                                            residentID: $0.residentID, phone: $0.phone, added: false)
            }, batchID: batchID, projectID: options.projectID, on: db)
            try await AuditLog.record(
                on: db, actor: actor, action: .import, objectType: "qualified_list", objectID: String(batchID),
                changes: ["project": .init(before: nil, after: project.name), "year": .init(before: nil, after: String(options.year)),
                          "file": .init(before: nil, after: summary.fileName), "sha256": .init(before: nil, after: summary.sha256),
                          "created": .init(before: nil, after: String(summary.created)), "unchanged": .init(before: nil, after: String(summary.unchanged))],
                summary: "导入“\(project.name)”\(options.year)年合格人员名单“\(summary.fileName)”：新增 \(summary.created) 人")
        }
        lap("written")
        report.committed = true
        return ImportOutcome(report: report, header: headerCells, refused: refused, columnIndex: labelIndex)
    }
}

/// The per-row checks of a qualified list, run on the checking thread of `readInBackground`;
/// the importer reads the results once reading has ended.
final class QualifiedListCheck: @unchecked Sendable {
    typealias Column = QualifiedListImporter.Column
    private let regions: RegionDirectory
    private let today: CivilDate
    private var firstRow: [Int64: Int] = [:]
    private var countyMatches: [String: RegionMatch] = [:]
    private var entries: [QualifiedListImporter.Entry] = []
    private(set) var cells: [Int: [String]] = [:]
    private(set) var headerCells: [String] = []
    private(set) var rows = 0
    private(set) var errors: [RowIssue] = []
    private(set) var notes: [RowIssue] = []

    init(regions: RegionDirectory, today: CivilDate) {
        self.regions = regions
        self.today = today
    }

    /// The checked entries, handed over once reading has ended (the check keeps none).
    func takeEntries() -> [QualifiedListImporter.Entry] {
        defer { entries = [] }
        return entries
    }

    func consume(_ row: SheetRow, header: HeaderMatch) {
        if headerCells.isEmpty { headerCells = (0...(header.headers.keys.max() ?? 0)).map { header.headers[$0] ?? "" } }
        func text(_ column: Column) -> String { header.columns[column.rawValue].map { TeacherRowValidator.clean(row[$0].text) } ?? "" }
        rows += 1
        var rowErrors: [RowIssue] = []
        let checkedName = PersonName.check(text(.name), row: row.number, column: Column.name.label)
        let name = checkedName.name ?? ""
        if let issue = checkedName.issue { rowErrors.append(issue) }
        let idCell = header.columns[Column.residentID.rawValue].map { row[$0] } ?? .empty
        var wasNumber = false
        if case .number = idCell { wasNumber = true }
        let id = TeacherRowValidator.residentID(idCell.text, wasNumber: wasNumber, row: row.number, today: today)
        rowErrors += id.errors
        if !id.notes.isEmpty { notes += id.notes }
        if let resident = id.id {
            if let first = firstRow[resident.packed] {
                rowErrors.append(RowIssue(row: row.number, column: Column.residentID.label, code: "id.duplicate_in_file", message: "身份证号码与第\(first)行重复"))
            } else {
                firstRow[resident.packed] = row.number
            }
        }
        let countyText = text(.county)
        var county: Region?
        if !countyText.isEmpty {
            let match = countyMatches[countyText] ?? regions.resolve(countyText, level: .county)
            countyMatches[countyText] = match
            county = match.region
        }
        if rowErrors.isEmpty, let resident = id.id {
            let phone = text(.phone)
            entries.append(.init(row: row.number, county: county, countyText: countyText, school: text(.school), name: name,
                                 residentID: resident, phone: phone.isEmpty ? nil : phone))
        } else {
            errors += rowErrors
            cells[row.number] = row.cells.map(\.text)
        }
    }
}
