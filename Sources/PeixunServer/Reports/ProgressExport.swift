import Foundation
import PeixunCore
import PeixunSheets
import Vapor

/// The report as an Appendix 1 workbook or CSV, shared by the web download and the CLI.
enum ProgressExport {
    static func workbookContent(for report: ProgressReport) -> ProgressWorkbook.Content {
        var subtitle = "统计年度：\(report.year)年"
        if let schoolYear = report.schoolYear { subtitle += "　专任教师数：\(StatisticsYear.label(schoolYear))初" }
        var footnotes = report.region.level == .province && report.year == Appendix1.reportYear ? Appendix1.footnotes : [
            "1.“专任教师数”来源于教育事业统计\(report.schoolYear.map { "（\(StatisticsYear.label($0))初）" } ?? "")；",
            "2.“已培训人数”为截至\(report.year)年底至少有一项培训合格的教师人数（含国培、省培、市培、县培及合作项目）；",
            "3.“未培训人数”为专任教师数减已培训人数。",
        ]
        if report.rowLevel == .school { footnotes[0] = "1.学校一行的教师数为该校在册教师数；" }
        return ProgressWorkbook.Content(
            title: report.title, subtitle: subtitle, rowHeader: report.rowLevel.header,
            table: report.table, footnotes: footnotes)
    }

    static func writeXlsx(_ report: ProgressReport, to path: String) throws {
        try ProgressWorkbook.write(workbookContent(for: report), to: path)
    }

    static func csv(_ report: ProgressReport) -> String {
        var lines = ["代码,名称,幼儿园,中小学,中职,合计,已培训,未培训,完成率"]
        func line(_ code: String, _ name: String, _ f: ProgressFigures, _ untrained: Int) -> String {
            [code, CSVField.escape(name), "\(f.kindergarten)", "\(f.primarySecondary)", "\(f.vocational)", "\(f.total)",
             "\(f.trained)", "\(untrained)", String(format: "%.4f", f.completionRate)].joined(separator: ",")
        }
        for row in report.table.rows { lines.append(line(row.key, row.name, row.figures, row.figures.untrained)) }
        lines.append(line(report.region.code, "小计", report.table.total, report.table.totalUntrained))
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func xlsxResponse(for report: ProgressReport, request: Request) async throws -> Response {
        let path = NSTemporaryDirectory() + "peixun-progress-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try writeXlsx(report, to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        let filename = "\(report.region.name)培训实施情况统计表-\(report.year).xlsx"
        let encoded = filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "progress.xlsx"
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"progress-\(report.year).xlsx\"; filename*=UTF-8''\(encoded)")
        return response
    }
}

enum CSVField {
    /// Quotes what needs quoting, and defuses text that Excel would run as a formula
    /// (a school named "=HYPERLINK(…)") by prefixing an apostrophe.
    static func escape(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
