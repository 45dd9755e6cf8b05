import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import SQLKit
import Vapor

/// 参训合格教师信息反馈表: a county's entries in the list's order (additions last) as the
/// notice's form; filled in Excel (rows of teachers not confirmed deleted, missing teachers
/// added at the end, certificate numbers in 备注) and uploaded back. The upload verifies the
/// rows it keeps, adds the new ones, and reports every difference from the allocated list.
enum FeedbackTable {
    static let headers = ["县(市、区)", "年度", "序号", "教师姓名", "身份证号码", "联系电话", "所在学校", "备注"]

    static func write(entries: [IntegrationEntryModel], countyName: String, year: Int, project: String, to path: String) throws {
        let workbook = try XlsxWorkbook(path: path)
        let sheet = try workbook.addSheet(named: "反馈表")
        let last = headers.count - 1
        sheet.merge(rows: 0...0, columns: 0...last, "参训合格教师信息反馈表", style: CellStyle(bold: true, fontSize: 16, alignment: .center))
        sheet.merge(rows: 1...1, columns: 0...last, "市(州)教育行政部门（盖章）　　　　　　项目名称：\(project)", style: CellStyle(alignment: .left))
        let header = CellStyle(bold: true, alignment: .center, border: true, background: 0xF2F2F2)
        for (column, title) in headers.enumerated() { sheet.write(title, row: 2, column: column, style: header) }
        let text = CellStyle(border: true, numberFormat: "@")
        for (offset, entry) in entries.enumerated() {
            let remark = entry.added ? "新增" + (entry.certificateNumber.map { "；证书 \($0)" } ?? "") : entry.certificateNumber.map { "证书 \($0)" } ?? ""
            let cells = [countyName, String(year), String(entry.sequence), entry.name, entry.residentID, entry.phone ?? "", entry.school ?? "", remark]
            for (column, value) in cells.enumerated() { sheet.write(value, row: offset + 3, column: column, style: text) }
        }
        sheet.merge(rows: (entries.count + 4)...(entries.count + 4), columns: 0...last,
                    "备注：请务必根据省执行办下发的合格人员名单核实填报。为方便查询核对，请不要变动原表名单排序；未能核实的人员删除该行，名单外人员加在表末，证书编号填在备注栏。",
                    style: CellStyle(alignment: .left, wrap: true))
        sheet.setRow(entries.count + 4, height: 36)
        for (column, width) in [12.0, 7, 6, 10, 21, 14, 30, 24].enumerated() { sheet.setColumns(column...column, width: width) }
        sheet.printA4Landscape(repeatingRows: 2...2)
        try workbook.close()
    }

    /// What an uploaded feedback table changed, row by row.
    struct Outcome: Content {
        var verified = 0
        var added = 0
        var notReturned: [String] = []
        var differences: [RowIssue] = []
        var errors: [RowIssue] = []
        var applied = false
    }

    /// Reads the county's filled table: rows kept are verified (备注 may carry the certificate
    /// number), new rows are added, rows removed stay pending and are listed. All or nothing.
    static func apply(url: URL, fileName: String, batch: IntegrationBatchModel, verification: CountyVerification,
                      dryRun: Bool) async throws -> Outcome {
        guard let county = verification.user.regionCode else { throw AppError.notFound() }
        let specs = [
            ColumnSpec(key: "name", label: "教师姓名", aliases: ["姓名"], required: true),
            ColumnSpec(key: "id", label: "身份证号码", aliases: TeacherColumn.residentID.aliases, required: true),
            ColumnSpec(key: "phone", label: "联系电话", aliases: TeacherColumn.phone.aliases, required: false),
            ColumnSpec(key: "school", label: "所在学校", aliases: TeacherColumn.school.aliases, required: false),
            ColumnSpec(key: "remarks", label: "备注", required: false),
            ColumnSpec(key: "sequence", label: "序号", required: false),
        ]
        struct Line: Sendable { let row: Int; let name: String; let id: ResidentID; let phone: String; let school: String; let remarks: String }
        var lines: [Line] = []
        var outcome = Outcome()
        _ = try SpreadsheetTable.read(url: url, fileName: fileName, specs: specs) { row, header in
            func text(_ key: String) -> String { header.columns[key].map { TeacherRowValidator.clean(row[$0].text) } ?? "" }
            var wasNumber = false
            if let index = header.columns["id"], case .number = row[index] { wasNumber = true }
            let id = TeacherRowValidator.residentID(text("id"), wasNumber: wasNumber, row: row.number, today: verification.clock.today())
            outcome.errors += id.errors
            let name = PersonName.check(text("name"), row: row.number)
            if let issue = name.issue { outcome.errors.append(issue) }
            if let resident = id.id, let checkedName = name.name {
                lines.append(Line(row: row.number, name: checkedName, id: resident, phone: text("phone"), school: text("school"), remarks: text("remarks")))
            }
        }
        let entries = try await IntegrationEntryModel.query(on: verification.database).filter(\.$batchID == batch.id!)
            .filter(\.$countyCode == county).sort(\.$added).sort(\.$sequence).all()
        let byID = Dictionary(uniqueKeysWithValues: entries.map { ($0.residentID, $0) })
        var seen = Set<String>()
        for line in lines {
            guard seen.insert(line.id.value).inserted else {
                outcome.errors.append(RowIssue(row: line.row, column: "身份证号码", code: "id.duplicate_in_file", message: "身份证号码在表中重复"))
                continue
            }
            guard let entry = byID[line.id.value] else {
                outcome.differences.append(RowIssue(row: line.row, column: "身份证号码", code: "feedback.added", message: "\(line.name) 不在下发名单中，将作为新增人员登记"))
                continue
            }
            if entry.name != line.name {
                outcome.differences.append(RowIssue(row: line.row, column: "教师姓名", code: "feedback.name", message: "名单为“\(entry.name)”，反馈表为“\(line.name)”；姓名以名单为准，请核对"))
            }
            if !line.phone.isEmpty, line.phone != entry.phone ?? "" {
                outcome.differences.append(RowIssue(row: line.row, column: "联系电话", code: "feedback.phone", message: "联系电话由“\(entry.phone ?? "")”改为“\(line.phone)”"))
            }
            if !line.school.isEmpty, line.school != entry.school ?? "" {
                outcome.differences.append(RowIssue(row: line.row, column: "所在学校", code: "feedback.school", message: "所在学校由“\(entry.school ?? "")”改为“\(line.school)”"))
            }
        }
        outcome.notReturned = entries.filter { !seen.contains($0.residentID) && $0.status == EntryStatus.pending.rawValue }.map { "\($0.sequence) \($0.name)" }
        guard outcome.errors.isEmpty, !dryRun else { return outcome }
        let rows = lines
        let counts = try await verification.database.transaction { db -> (Int, Int) in
            // One transaction for the whole table: a refused row leaves nothing half-applied.
            let inside = CountyVerification(database: db, regions: verification.regions, user: verification.user, actor: verification.actor, clock: verification.clock)
            var verified = 0, added = 0
            for line in rows {
                let certificate = certificateNumber(in: line.remarks) ?? "见反馈表"
                if let entry = byID[line.id.value] {
                    guard entry.status != EntryStatus.verified.rawValue else { continue }
                    _ = try await inside.verify(entry.id!, .init(certificateNumber: certificate, phone: line.phone, school: line.school))
                    verified += 1
                } else {
                    _ = try await inside.add(batchID: batch.id!, projectID: batch.projectID,
                                             .init(name: line.name, residentID: line.id.value, phone: line.phone, school: line.school, certificateNumber: certificate))
                    added += 1
                }
            }
            return (verified, added)
        }
        outcome.verified = counts.0
        outcome.added = counts.1
        outcome.applied = true
        return outcome
    }

    /// "证书 YD2016-0001" or "新增；证书 X" → the number; a bare remark is taken as it stands.
    static func certificateNumber(in remarks: String) -> String? {
        guard !remarks.isEmpty else { return nil }
        if let range = remarks.range(of: "证书") {
            let rest = remarks[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: " ：:编号"))
            return rest.isEmpty ? nil : String(rest.prefix(60))
        }
        return remarks == "新增" ? nil : String(remarks.prefix(60))
    }
}
