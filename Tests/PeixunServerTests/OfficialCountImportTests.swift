import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// 专任教师数 imports: the same pipeline as the roster, with totals checked against their rows.
@Suite struct OfficialCountImportTests {
    func write(_ text: String, name: String = "counts.csv") throws -> URL {
        let directory = NSTemporaryDirectory() + "peixun-counts-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let url = URL(fileURLWithPath: directory + "/" + name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func importer(_ app: Application, scope: RegionScope = .all) -> OfficialCountImporter {
        OfficialCountImporter(database: app.db, regions: app.regions, scope: scope, actor: .commandLine)
    }

    func stored(_ app: Application, year: Int) async throws -> [String: Int] {
        let rows = try await OfficialCountModel.query(on: app.db).filter(\.$schoolYear == year).all()
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.countyCode + "|" + $0.stage, $0.teachers) })
    }

    static let table = """
        2018学年专任教师数统计表
        填报单位（盖章）：成都市教育局
        县(市、区),学段,专任教师数
        锦江区,幼儿园,1203
        锦江区,中小学,"4,521"
        锦江区,小计,5724
        青羊区,中小学,3980
        成都市小计,,9704
        备注：数据来自 2018 年教育事业统计
        """

    @Test func dryRunCommitAndRepeatChangeOnlyWhatDiffers() async throws {
        try await withTestApp { app in
            let url = try write(Self.table)
            var options = OfficialCountImporter.Options(schoolYear: 2018)
            let dry = try await importer(app).run(url: url, fileName: "counts.csv", options: options).report
            #expect(dry.rows == 5 && dry.valid == 3 && dry.created == 3 && dry.errors.isEmpty && !dry.committed)
            #expect(try await stored(app, year: 2018).isEmpty)

            options.dryRun = false
            let first = try await importer(app).run(url: url, fileName: "counts.csv", options: options).report
            #expect(first.committed && first.created == 3)
            #expect(try await stored(app, year: 2018) == ["510104|kindergarten": 1203, "510104|primarySecondary": 4521, "510105|primarySecondary": 3980])
            let again = try await importer(app).run(url: url, fileName: "counts.csv", options: options).report
            #expect(again.unchanged == 3 && again.created == 0 && again.updated == 0)

            let changed = try write(Self.table.replacingOccurrences(of: "青羊区,中小学,3980", with: "青羊区,中小学,3990")
                .replacingOccurrences(of: "成都市小计,,9704", with: "成都市小计,,9714"))
            let update = try await importer(app).run(url: changed, fileName: "counts.csv", options: options).report
            #expect(update.updated == 1 && update.unchanged == 2)
            #expect(try await stored(app, year: 2018)["510105|primarySecondary"] == 3990)
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "official_counts").count() == 3)
        }
    }

    @Test func aTotalThatDisagreesRefusesTheFileAndChangesNothing() async throws {
        try await withTestApp { app in
            let url = try write(Self.table.replacingOccurrences(of: "成都市小计,,9704", with: "成都市小计,,9804"))
            let options = OfficialCountImporter.Options(dryRun: false, schoolYear: 2018)
            let outcome = try await importer(app).run(url: url, fileName: "counts.csv", options: options)
            #expect(!outcome.report.committed)
            #expect(outcome.report.errors.map(\.code) == ["total.mismatch"])
            #expect(outcome.report.errors.first?.row == 8 && outcome.report.errors.first?.message.contains("相差 100") == true)
            #expect(try await stored(app, year: 2018).isEmpty)
            let path = url.deletingLastPathComponent().path + "/errors.xlsx"
            #expect(try outcome.writeErrorWorkbook(to: path))
            let rows = try convertToCSV(path, directory: url.deletingLastPathComponent().path)
            #expect(rows.contains { $0.contains("成都市小计") && $0.joined().contains("相差 100") })
        }
    }

    @Test func aCountyImportsOnlyItsOwnCountsAndTheReportUsesThem() async throws {
        try await withTestApp { app in
            let url = try write("县(市、区),幼儿园,中小学,中职,合计\n锦江区,300,3000,100,3400\n青羊区,1,2,3,6\n")
            let options = OfficialCountImporter.Options(dryRun: false, skipInvalid: true, schoolYear: 2016)
            let report = try await importer(app, scope: .county("510104")).run(url: url, fileName: "c.csv", options: options).report
            #expect(report.committed && report.errors.map(\.code) == ["region.out_of_scope"])
            #expect(report.updated + report.created == 3)
            let progress = try await PeixunServerTests.report(app, region: "510100", year: 2016)
            let row = try #require(progress.rows.first { $0.code == "510104" })
            #expect(row.kindergarten == 300 && row.primarySecondary == 3000 && row.vocational == 100 && row.total == 3400)
        }
    }

    struct Upload: Content {
        let _csrf: String
        let file: File
        let year: Int?
    }

    @Test func theWebAndTheAPIShareTheFlow() async throws {
        try await withTestApp { app in
            let session = try await TestUsers.session(app, "chengdu")
            try await app.testing().test(.POST, "/statistics/import", headers: session.headers, beforeRequest: { request in
                try request.content.encode(Upload(_csrf: session.csrf, file: File(data: ByteBuffer(string: Self.table), filename: "成都.csv"), year: nil), as: .formData)
            }) { response in
                #expect(response.status == .badRequest)
                #expect(response.body.string.contains("请选择学年"))
            }
            var uploadID = 0
            try await app.testing().test(.POST, "/statistics/import", headers: session.headers, beforeRequest: { request in
                try request.content.encode(Upload(_csrf: session.csrf, file: File(data: ByteBuffer(string: Self.table), filename: "成都.csv"), year: 2018), as: .formData)
            }) { response in
                #expect(response.status == .ok)
                let html = response.body.string
                #expect(html.contains("共 <strong>5</strong> 行"))
                #expect(html.contains("value=\"all\""))
                let start = html.range(of: "/statistics/import/")!.upperBound
                uploadID = Int(html[start...].prefix { $0.isNumber }) ?? 0
            }
            // The teacher-import path does not know a counts upload.
            try await app.testing().test(.POST, "/teachers/import/\(uploadID)/commit", headers: session.headers, beforeRequest: { request in
                try request.content.encode(["_csrf": session.csrf, "mode": "all"], as: .urlEncodedForm)
            }) { #expect($0.status == .notFound) }
            try await app.testing().test(.POST, "/statistics/import/\(uploadID)/commit", headers: session.headers, beforeRequest: { request in
                try request.content.encode(["_csrf": session.csrf, "mode": "all"], as: .urlEncodedForm)
            }) { response in
                #expect(response.body.string.contains("已写入数据库"))
            }
            #expect(try await stored(app, year: 2018).count == 3)

            let headers = try await TestUsers.bearer(app, "chengdu")
            try await app.testing().test(.POST, "/api/v1/statistics/import?year=2019&dryRun=false", headers: headers, beforeRequest: { request in
                request.headers.add(name: "X-File-Name", value: "c.csv")
                request.body = ByteBuffer(string: "县(市、区),学段,专任教师数\n自流井区,中小学,10\n")
            }) { response in
                let report = try response.content.decode(ImportReport.self)
                #expect(!report.committed && report.errors.map(\.code) == ["region.out_of_scope"])
            }
            try await app.testing().test(.POST, "/api/v1/statistics/import?dryRun=false", headers: headers, beforeRequest: { request in
                request.body = ByteBuffer(string: "县(市、区),学段,专任教师数\n锦江区,中小学,10\n")
            }) { response in
                #expect(response.status == .badRequest)
                #expect(response.body.string.contains("year.invalid"))
            }
            try await app.testing().test(.POST, "/api/v1/statistics/import?year=2019", headers: headers, beforeRequest: { request in
                request.body = ByteBuffer(string: "市(州),县(市、区),备注\n成都市,锦江区,x\n")
            }) { response in
                #expect(response.status == .unprocessableEntity)
                #expect(response.body.string.contains("缺少人数列"))
            }
        }
    }
}
