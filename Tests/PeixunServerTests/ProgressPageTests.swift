import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

@Suite struct ProgressPageTests {
    @Test func provincePageShowsTheTableInChineseWithLinksDown() async throws {
        try await withTestApp(demo: .small) { app in
            try await app.testing().test(.GET, "/reports/progress?year=2016", headers: TestUsers.session(app, "sheng").headers) { response in
                #expect(response.status == .ok)
                let html = response.text
                #expect(html.contains("全省中小学教师信息技术应用能力提升工程培训实施情况统计表"))
                #expect(html.contains("<a href=\"/reports/progress?year=2016&amp;region=510100\">成都市</a>")
                        || html.contains("<a href=\"/reports/progress?year=2016&region=510100\">成都市</a>"))
                #expect(html.contains("凉山彝族自治州"))
                #expect(html.contains("小计"))
                #expect(html.contains("2015/2016学年"))
                #expect(html.contains("format=xlsx"))
            }
        }
    }

    @Test func countyPageListsSchoolsAndSchoolPageListsUntrainedTeachersMasked() async throws {
        try await withTestApp(demo: .small) { app in
            struct School: Decodable { let id: Int; let name: String; let county_code: String }
            let school = try await app.sql.raw("""
                SELECT s.id, s.name, s.county_code FROM schools s
                WHERE EXISTS (SELECT 1 FROM teachers t WHERE t.school_id = s.id AND t.first_passed_year IS NULL)
                ORDER BY s.id LIMIT 1
                """).first(decoding: School.self)!
            try await app.testing().test(.GET, "/reports/progress?year=2016&region=\(school.county_code)", headers: TestUsers.session(app, "sheng").headers) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains(school.name))
                #expect(response.text.contains("/reports/progress/schools/\(school.id)/untrained?year=2016"))
                #expect(response.text.contains("在册教师数"))
            }
            struct Teacher: Decodable { let name: String; let resident_id: String }
            let untrained = try await app.sql.raw("SELECT name, resident_id FROM teachers WHERE school_id = \(bind: school.id) AND (first_passed_year IS NULL OR first_passed_year > 2016)")
                .all(decoding: Teacher.self)
            try await app.testing().test(.GET, "/reports/progress/schools/\(school.id)/untrained?year=2016", headers: TestUsers.session(app, "sheng").headers) { response in
                #expect(response.status == .ok)
                let html = response.text
                #expect(html.contains("共 \(untrained.count) 人"))
                for teacher in untrained.prefix(50) {
                    #expect(html.contains(ResidentID(canonical: teacher.resident_id)!.masked))
                    #expect(!html.contains(teacher.resident_id), "full ID leaked")
                }
            }
            try await app.testing().test(.GET, "/reports/progress/schools/999999/untrained?year=2016", headers: TestUsers.session(app, "sheng").headers) { response in
                #expect(response.status == .notFound)
                #expect(response.text.contains("学校不存在"))
            }
        }
    }

    @Test func hostileNamesAreEscaped() async throws {
        try await withTestApp { app in
            let hostile = "<script>alert('x')</script>\"很长很长的学校名称四川省凉山彝族自治州木里藏族自治县第一民族寄宿制学校"
            try await app.sql.insert(into: "schools")
                .columns("name", "kind", "stage", "county_code", "city_code")
                .values(SQLBind(hostile), SQLBind("primary"), SQLBind("primarySecondary"), SQLBind("513422"), SQLBind("513400"))
                .run()
            try await app.testing().test(.GET, "/reports/progress?year=2016&region=513422", headers: TestUsers.session(app, "sheng").headers) { response in
                #expect(response.status == .ok)
                #expect(!response.text.contains("<script>alert"))
                #expect(response.text.contains("&lt;script&gt;alert("))
                #expect(response.text.contains("木里藏族自治县第一民族寄宿制学校"))
            }
        }
    }

    @Test func excelDownloadHasTheAppendixLayoutAndTheSameNumbers() async throws {
        try await withTestApp(demo: .small) { app in
            let json = try await report(app, region: nil)
            try await app.testing().test(.GET, "/reports/progress?year=2016&format=xlsx", headers: TestUsers.session(app, "sheng").headers) { response in
                #expect(response.status == .ok)
                #expect(response.headers.contentType?.subType == "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                #expect(response.headers.first(name: .contentDisposition)?.contains("attachment") == true)
                let directory = NSTemporaryDirectory() + "peixun-xlsx-" + UUID().uuidString
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: directory) }
                let path = directory + "/report.xlsx"
                try Data(buffer: response.body).write(to: URL(fileURLWithPath: path))
                let rows = try convertToCSV(path, directory: directory)
                #expect(rows[0][0] == "全省中小学教师信息技术应用能力提升工程培训实施情况统计表")
                #expect(rows[4][0] == "成都市")
                #expect(rows[4][4] == String(json.rows[0].total))
                #expect(rows[4][5] == String(json.rows[0].trained))
                #expect(rows[25][0] == "小计")
                #expect(rows[25][4] == String(json.total.total))
                #expect(rows[25][6] == String(json.total.untrained))
            }
            let exports = try await AuditEntryModel.query(on: app.db).filter(\.$action == "export").all()
            #expect(exports.count == 1 && exports[0].username == "sheng")
        }
    }
}

func convertToCSV(_ path: String, directory: String) throws -> [[String]] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["soffice", "-env:UserInstallation=file://\(directory)/lo-profile", "--headless",
                         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true", "--outdir", directory, path]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    let text = try String(contentsOfFile: (path as NSString).deletingPathExtension + ".csv", encoding: .utf8)
    return text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { line in
        line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
}

/// Leaf treats every array, even an empty one, as true in `#if`; these pages must show their
/// empty states and no empty error boxes.
@Suite struct EmptyStateTests {
    @Test func pagesShowEmptyStatesAndNoEmptyAlerts() async throws {
        try await withTestApp { app in
            let zigong = try await TestUsers.session(app, "zigong")
            try await app.testing().test(.GET, "/account/password", headers: zigong.headers) { response in
                #expect(response.status == .ok)
                #expect(!response.body.string.contains("class=\"alert\""))
            }
            try await app.testing().test(.GET, "/users", headers: zigong.headers) { response in
                #expect(response.body.string.contains("您管辖范围内还没有下级账户"))
                #expect(!response.body.string.contains("<table"))
            }
            try await app.testing().test(.GET, "/audit?action=export", headers: zigong.headers) { response in
                #expect(response.body.string.contains("没有符合条件的记录"))
            }
            try await app.testing().test(.GET, "/activate") { response in
                #expect(!response.body.string.contains("class=\"alert\""))
            }
        }
    }
}

@Suite struct UntrainedExportTests {
    @Test func countiesExportTheirUntrainedTeachersMaskedAndNothingElse() async throws {
        try await withTestApp(demo: .small) { app in
            struct Teacher: Decodable { let name: String; let resident_id: String }
            let untrained = try await app.sql.raw("SELECT name, resident_id FROM teachers WHERE county_code = '510104' AND (first_passed_year IS NULL OR first_passed_year > 2016)")
                .all(decoding: Teacher.self)
            let session = try await TestUsers.session(app, "jinjiang")
            try await app.testing().test(.GET, "/reports/untrained?year=2016&region=510104&format=csv", headers: session.headers) { response in
                #expect(response.status == .ok)
                let lines = response.body.string.split(separator: "\r\n")
                #expect(lines.count == untrained.count + 1)
                #expect(lines[0].hasSuffix("县(市、区),所在学校,学段,教师姓名,身份证号码,联系电话,状态"))
                for teacher in untrained {
                    #expect(!response.body.string.contains(teacher.resident_id))
                    #expect(response.body.string.contains(ResidentID(canonical: teacher.resident_id)!.masked))
                }
            }
            try await app.testing().test(.GET, "/reports/untrained?year=2016&region=510104", headers: session.headers) { response in
                #expect(response.status == .ok)
                let directory = NSTemporaryDirectory() + "peixun-untrained-" + UUID().uuidString
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: directory) }
                try Data(buffer: response.body).write(to: URL(fileURLWithPath: directory + "/u.xlsx"))
                let rows = try convertToCSV(directory + "/u.xlsx", directory: directory)
                #expect(rows[0][0].contains("锦江区截至2016年底未培训教师名单"))
                #expect(rows.count == untrained.count + 2)
            }
            try await app.testing().test(.GET, "/reports/untrained?year=2016&region=510105", headers: session.headers) { #expect($0.status == .notFound) }
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action == "export").count() == 2)
        }
    }
}
