import Foundation
import PeixunCore
import Testing
@testable import PeixunSheets

@Suite struct ProgressWorkbookTests {
    let appendix = ProgressTable(rows: Appendix1.cities.map {
        ProgressRow(key: $0.code, name: RegionDirectory.sichuan.region(code: $0.code)!.name, figures: $0.figures)
    })

    @Test func libreOfficeReadsBackEveryNumberOfAppendix1() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/appendix1.xlsx"
        try ProgressWorkbook.write(
            .init(title: "全省中小学教师信息技术应用能力提升工程培训实施情况统计表", subtitle: "统计年度：2016年",
                  rowHeader: "市州", table: appendix, footnotes: Appendix1.footnotes),
            to: path)

        let rows = try LibreOffice.csvRows(of: path, in: directory)
        #expect(rows[0][0] == "全省中小学教师信息技术应用能力提升工程培训实施情况统计表")
        #expect(rows[2][0] == "市州" && rows[2][1] == "专任教师数" && rows[2][5] == "已培训人数")
        #expect(Array(rows[3][1...4]) == ["幼儿园", "中小学", "中职", "合计总数"])
        let chengdu = rows[4]
        #expect(chengdu[0] == "成都市")
        #expect(Array(chengdu[1...6]) == ["28299", "95455", "9988", "133742", "82037", "51705"])
        #expect(chengdu[7] == "61.34%")
        let liangshan = rows[24]
        #expect(liangshan[0] == "凉山彝族自治州")
        #expect(Array(liangshan[1...6]) == ["4135", "39231", "1392", "44758", "35321", "9437"])
        let total = rows[25]
        #expect(total[0] == "小计")
        #expect(Array(total[1...6]) == ["96885", "601224", "39577", "737686", "488756", "248930"])
        #expect(rows[26][0].hasPrefix("备注：1.本表是以市(州)为单位的统计汇总表"))
    }

    @Test func hostileAndLongNamesAreWrittenVerbatim() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/hostile.xlsx"
        let long = String(repeating: "四川省凉山彝族自治州木里藏族自治县", count: 4)
        let table = ProgressTable(rows: [
            ProgressRow(key: "1", name: "<script>alert(\"x\")</script>", figures: .init(kindergarten: 1, trained: 1)),
            ProgressRow(key: "2", name: long, figures: .init(primarySecondary: 3)),
        ])
        try ProgressWorkbook.write(.init(title: "测试", subtitle: "", rowHeader: "学校", table: table, footnotes: []), to: path)
        let rows = try LibreOffice.csvRows(of: path, in: directory)
        #expect(rows[4][0] == "<script>alert(\"x\")</script>")
        #expect(rows[5][0] == long)
        #expect(rows[6][0] == "小计" && rows[6][4] == "4" && rows[6][6] == "3")
    }
}

/// A folder removed when the test ends.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "peixun-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Converts a workbook to CSV with LibreOffice, the program our users' files meet.
enum LibreOffice {
    static func csvRows(of path: String, in directory: TemporaryDirectory) throws -> [[String]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Its own profile, so that parallel tests do not fight over one.
        let profile = "file://" + directory.path + "/lo-profile"
        process.arguments = ["soffice", "-env:UserInstallation=\(profile)", "--headless",
                             "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true",
                             "--outdir", directory.path, path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let csvPath = (path as NSString).deletingPathExtension + ".csv"
        let text = try String(contentsOfFile: csvPath, encoding: .utf8)
        return CSVText.parse(text)
    }
}

/// A small RFC 4180 reader for checking what LibreOffice wrote.
enum CSVText {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false
        var iterator = Array(text).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true
            } else if c == "," { row.append(field); field = ""
            } else if c == "\n" || c == "\r\n" { row.append(field); rows.append(row); row = []; field = ""
            } else if c != "\r" { field.append(c) }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
