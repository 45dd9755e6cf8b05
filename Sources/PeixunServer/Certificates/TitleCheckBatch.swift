import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import Vapor

/// 职称评审核验 of a whole list: the reviewer uploads the applicants (.xlsx, .xls or .csv with
/// 姓名 and 身份证号码, optionally 申报日期), read by the same readers as every import, and gets
/// one verdict per row. A row that cannot be checked (a malformed ID, an empty name) says so
/// with its row and column; the file itself is refused only when it cannot be read.
struct TitleCheckBatch {
    /// A title office checks one round of applications at a time; more rows are refused.
    static let maximumRows = 5_000
    static let maximumUpload = 20 * 1_048_576

    struct Line: Content, Equatable {
        let row: Int
        let name: String
        let maskedResidentID: String
        let applicationDate: String
        /// Nil when the row could not be checked.
        let eligible: Bool?
        let reason: String
        let certificates: [TitleCheck.CertificateLine]
    }

    struct Outcome: Content {
        let rows: Int
        let eligible: Int
        let notEligible: Int
        let unchecked: Int
        let lines: [Line]
    }

    static let specs = [
        ColumnSpec(key: "name", label: "姓名", aliases: ["教师姓名", "申报人", "申报人姓名"], required: true),
        ColumnSpec(key: "id", label: "身份证号码", aliases: TeacherColumn.residentID.aliases, required: true),
        ColumnSpec(key: "date", label: "申报日期", aliases: ["申报时间", "申请日期"], required: false),
    ]

    let check: TitleCheck

    func run(url: URL, fileName: String, defaultDate: CivilDate, actor: AuditLog.Actor) async throws -> Outcome {
        struct Pending: Sendable { let row: Int; let name: String; let id: String; let idWasNumber: Bool; let date: String }
        var pending: [Pending] = []
        var tooMany = false
        do {
            _ = try SpreadsheetTable.read(url: url, fileName: fileName, specs: Self.specs) { row, header in
                guard pending.count < Self.maximumRows else { tooMany = true; return }
                func text(_ key: String) -> String { header.columns[key].map { TextCleaning.clean(row[$0].text) } ?? "" }
                var wasNumber = false
                if let index = header.columns["id"], case .number = row[index] { wasNumber = true }
                pending.append(Pending(row: row.number, name: text("name"), id: text("id"), idWasNumber: wasNumber, date: text("date")))
            }
        } catch let error as SheetError {
            throw AppError(.unprocessableEntity, code: error.code.rawValue, "\(fileName)：\(error.message)")
        }
        guard !tooMany else {
            throw AppError(.unprocessableEntity, code: "title.too_many", "\(fileName)：一次最多核验 \(Self.maximumRows) 人，请分成几个文件")
        }
        guard !pending.isEmpty else { throw AppError(.unprocessableEntity, code: "file.empty", "\(fileName)：表中没有人员") }
        var lines: [Line] = []
        for item in pending {
            let id = TeacherRowValidator.residentID(item.id, wasNumber: item.idWasNumber, row: item.row, today: defaultDate)
            let name = PersonName.check(item.name, row: item.row)
            var date = defaultDate
            var problems = id.errors + [name.issue].compactMap { $0 }
            if !item.date.isEmpty {
                if let parsed = CivilDate(iso: item.date.replacingOccurrences(of: "/", with: "-")) { date = parsed } else {
                    problems.append(RowIssue(row: item.row, column: "申报日期", code: "title.date", message: "申报日期“\(item.date.prefix(20))”应为 YYYY-MM-DD"))
                }
            }
            guard problems.isEmpty, let resident = id.id, let checkedName = name.name else {
                let masked = id.id?.masked ?? String(item.id.prefix(6)) + "…"
                lines.append(Line(row: item.row, name: item.name, maskedResidentID: masked, applicationDate: date.description, eligible: nil,
                                  reason: "无法核验：" + problems.map { "第 \($0.row) 行“\($0.column)”：\($0.message)" }.joined(separator: "；"),
                                  certificates: []))
                continue
            }
            let answer = try await check.check(id: resident, name: checkedName, applicationDate: date, actor: actor)
            lines.append(Line(row: item.row, name: checkedName, maskedResidentID: resident.masked, applicationDate: date.description,
                              eligible: answer.eligible, reason: answer.reason, certificates: answer.certificates))
        }
        return Outcome(rows: lines.count, eligible: lines.filter { $0.eligible == true }.count,
                       notEligible: lines.filter { $0.eligible == false }.count, unchecked: lines.filter { $0.eligible == nil }.count,
                       lines: lines)
    }

    static func workbookRows(_ outcome: Outcome) -> [TitleCheckWorkbook.Row] {
        outcome.lines.map { line in
            TitleCheckWorkbook.Row(
                sourceRow: line.row, name: line.name, maskedID: line.maskedResidentID, applicationDate: line.applicationDate,
                verdict: line.eligible.map { $0 ? "符合" : "不符合" } ?? "无法核验", reason: line.reason,
                certificates: line.certificates.map { "\($0.number) \($0.issuedOn) \($0.statusLabel)" }.joined(separator: "\n"))
        }
    }
}

extension TitleCheckController {
    /// The page's upload: the result workbook comes straight back as a download.
    @Sendable func batchForm(request: Request) async throws -> Response {
        let checker = try checker(request)
        let received = try await request.application.uploads.receiveForm(of: request, limit: TitleCheckBatch.maximumUpload)
        defer { received.remove() }
        let date = try Self.date(received.fields["applicationDate"], today: request.clock.today())
        let outcome = try await TitleCheckBatch(check: checker).run(url: received.url, fileName: received.fileName, defaultDate: date,
                                                                    actor: AuditLog.Actor(request))
        let (url, handle) = try request.application.uploads.makeFile()
        try handle.close()
        try TitleCheckWorkbook.write(TitleCheckBatch.workbookRows(outcome),
                                     title: "职称评审核验结果（\(outcome.rows) 人：符合 \(outcome.eligible)，不符合 \(outcome.notEligible)，无法核验 \(outcome.unchecked)）",
                                     to: url.path)
        let response = try await request.fileio.asyncStreamFile(
            at: url.path, mediaType: HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")) { _ in
            try? FileManager.default.removeItem(at: url)
        }
        let name = "职称评审核验结果.xlsx".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"title-check.xlsx\"; filename*=UTF-8''\(name)")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }

    /// The API's upload: the file is the request body (`X-File-Name` names it), the answer JSON.
    @Sendable func batchAPI(request: Request) async throws -> TitleCheckBatch.Outcome {
        let checker = try checker(request)
        struct Query: Decodable { var applicationDate: String? }
        let date = try Self.date((try? request.query.decode(Query.self))?.applicationDate, today: request.clock.today())
        let fileName = String((request.headers.first(name: "X-File-Name")?.removingPercentEncoding ?? "upload.xlsx").prefix(120))
        let received = try await request.application.uploads.receiveBody(of: request, limit: TitleCheckBatch.maximumUpload, fileName: fileName)
        defer { received.remove() }
        return try await TitleCheckBatch(check: checker).run(url: received.url, fileName: fileName, defaultDate: date, actor: AuditLog.Actor(request))
    }

    static func date(_ text: String?, today: CivilDate) throws -> CivilDate {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return today }
        guard text.count == 10, let date = CivilDate(iso: text) else {
            throw InputRefusal(field: "申报日期", code: "title.date", "申报日期应为 YYYY-MM-DD，例如 2019-03-15")
        }
        return date
    }
}
