import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

@Suite struct TeacherImportTests {
    let header = "县(市、区),所在学校,学段,教师姓名,身份证号码,联系电话,性别,备注\n"

    func csv(_ lines: [String], in directory: String, name: String = "roster.csv") throws -> URL {
        let url = URL(fileURLWithPath: directory + "/" + name)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try (header + lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func importer(_ app: Application, scope: RegionScope = .all) -> TeacherImporter {
        TeacherImporter(database: app.db, regions: app.regions, scope: scope, actor: .commandLine)
    }

    func ids(_ count: Int, county: String = "510104", year: Int = 1985) -> [String] {
        (0..<count).map { ResidentID.completing(body: String(format: "%@%d0101%03d", county, year, 100 + $0)).value }
    }

    @Test func dryRunThenCommitThenTheSameFileChangesNothing() async throws {
        try await withTestApp { app in
            let directory = NSTemporaryDirectory() + "peixun-import-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let people = ids(3)
            let url = try csv([
                "锦江区,锦江区实验小学,中小学,张伟,\(people[0]),13800138000,,",
                "锦江区,锦江区实验小学,,李 娜,\(people[1]),,,",
                "锦江区,锦江区机关幼儿园,幼儿园,王芳,\(people[2]),028-86115370,,",
            ], in: directory)
            var options = TeacherImporter.Options()
            options.createSchools = true
            let dry = try await importer(app).run(url: url, fileName: "roster.csv", options: options).report
            #expect(dry.rows == 3 && dry.valid == 3 && dry.created == 3 && !dry.committed)
            #expect(dry.errors.isEmpty)
            #expect(try await TeacherModel.query(on: app.db).count() == 0)
            #expect(dry.newSchools == ["锦江区 锦江区实验小学", "锦江区 锦江区机关幼儿园"])

            options.dryRun = false
            let first = try await importer(app).run(url: url, fileName: "roster.csv", options: options).report
            #expect(first.committed && first.created == 3)
            let teachers = try await TeacherModel.query(on: app.db).with(\.$school).sort(\.$residentID).all()
            #expect(teachers.map(\.name).sorted() == ["张伟", "李娜", "王芳"])
            #expect(teachers.first { $0.name == "李娜" }?.stage == "primarySecondary", "stage from the school")
            #expect(teachers.first { $0.name == "王芳" }?.mobile == "02886115370")
            let audit = try #require(try await AuditEntryModel.query(on: app.db).filter(\.$action == "import").first())
            #expect(audit.objectID == first.sha256 && audit.countyCode == "510104")

            // The county report counts them at once.
            #expect(try await report(app, region: "510104").total.total == 3)

            let second = try await importer(app).run(url: url, fileName: "roster.csv", options: options).report
            #expect(second.created == 0 && second.updated == 0 && second.unchanged == 3)
            #expect(try await TeacherModel.query(on: app.db).count() == 3)
            #expect(try await SchoolModel.query(on: app.db).count() == 2)
        }
    }

    @Test func aBadLastRowLeavesNothingBehindUnlessValidRowsAreChosen() async throws {
        try await withTestApp(demo: .small) { app in
            let directory = NSTemporaryDirectory() + "peixun-import-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let before = try await TeacherModel.query(on: app.db).count()
            let auditBefore = try await AuditEntryModel.query(on: app.db).count()
            let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").first()!
            let people = ids(4, year: 1999)
            let url = try csv(people.prefix(3).map { "锦江区,\(school.name),,新教师,\($0),,," } + ["锦江区,\(school.name),,坏号码,110105194912310021,,,"], in: directory)
            var options = TeacherImporter.Options()
            options.dryRun = false
            let refused = try await importer(app).run(url: url, fileName: "roster.csv", options: options)
            #expect(refused.report.errors.map(\.code) == ["id.checksum"])
            #expect(refused.report.errors[0].row == 5)
            #expect(!refused.report.committed)
            #expect(try await TeacherModel.query(on: app.db).count() == before)
            #expect(try await AuditEntryModel.query(on: app.db).count() == auditBefore)

            let errorsPath = directory + "/errors.xlsx"
            #expect(try refused.writeErrorWorkbook(to: errorsPath))
            let rows = try convertToCSV(errorsPath, directory: directory)
            #expect(rows[0].last == "错误说明")
            #expect(rows[1][0] == "5" && rows[1][5] == "110105194912310021")
            #expect(rows[1].last?.contains("校验位错误") == true)

            options.skipInvalid = true
            let partial = try await importer(app).run(url: url, fileName: "roster.csv", options: options).report
            #expect(partial.committed && partial.created == 3)
            #expect(try await TeacherModel.query(on: app.db).count() == before + 3)
        }
    }

    @Test func registryConflictsAndScopeAreReported() async throws {
        try await withTestApp(demo: .small) { app in
            let directory = NSTemporaryDirectory() + "peixun-import-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let elsewhere = try await TeacherModel.query(on: app.db).filter(\.$countyCode == "510105").first()!
            let here = try await TeacherModel.query(on: app.db).filter(\.$countyCode == "510104").with(\.$school).first()!
            let url = try csv([
                "锦江区,\(here.school.name),,\(elsewhere.name),\(elsewhere.residentID),,,",
                "锦江区,\(here.school.name),,另一个名字,\(here.residentID),,,",
                "锦江区,不存在的学校,中小学,赵六,\(ids(1, year: 1990)[0]),,,",
                "青羊区,某校,中小学,钱七,\(ids(1, county: "510105", year: 1991)[0]),,,",
                "锦江区,\(here.school.name),,孙八,\(ids(1, year: 1992)[0]),,,",
                "锦江区,\(here.school.name),,孙八,\(ids(1, year: 1992)[0]),,,",
            ], in: directory)
            let outcome = try await importer(app, scope: .county("510104")).run(url: url, fileName: "roster.csv", options: TeacherImporter.Options())
            let codes = Dictionary(grouping: outcome.report.errors, by: \.row).mapValues { $0.map(\.code) }
            #expect(codes[2] == ["id.registered_elsewhere"])
            #expect(codes[3] == ["name.mismatch"])
            #expect(codes[4] == ["school.unknown"])
            #expect(codes[5] == ["region.out_of_scope"])
            #expect(codes[6] == nil)
            #expect(codes[7] == ["id.duplicate_in_file"])
            #expect(outcome.report.errors.first { $0.row == 2 }?.message.contains("青羊区") == true)
            #expect(outcome.report.valid == 1)
        }
    }

    @Test func aRefusedFileGetsItsReason() async throws {
        try await withTestApp { app in
            let directory = NSTemporaryDirectory() + "peixun-import-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let url = URL(fileURLWithPath: directory + "/names.csv")
            try "姓名,电话\n张伟,138\n".write(to: url, atomically: true, encoding: .utf8)
            await #expect(throws: (any Error).self) {
                _ = try await importer(app).run(url: url, fileName: "names.csv", options: TeacherImporter.Options())
            }
        }
    }
}

@Suite struct TeacherImportWebTests {
    struct Upload: Content {
        let _csrf: String
        let file: File
        let createSchools: String?
    }

    @Test func uploadPreviewsDownloadsErrorsAndCommitsOnlyWhatTheUserChooses() async throws {
        try await withTestApp(demo: .small) { app in
            let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").first()!
            let good = ResidentID.completing(body: "51010419950101123").value
            let csv = "锦江区教师名册\n县(市、区),所在学校,教师姓名,身份证号码\n锦江区,\(school.name),新老师,\(good)\n锦江区,\(school.name),错老师,110105194912310021\n"
            let before = try await TeacherModel.query(on: app.db).count()
            let session = try await TestUsers.session(app, "jinjiang")
            var uploadID = 0
            try await app.testing().test(.POST, "/teachers/import", headers: session.headers, beforeRequest: { request in
                try request.content.encode(Upload(_csrf: session.csrf, file: File(data: ByteBuffer(string: csv), filename: "锦江名册.csv"), createSchools: nil), as: .formData)
            }) { response in
                #expect(response.status == .ok)
                let html = response.body.string
                #expect(html.contains("共 <strong>2</strong> 行"))
                #expect(html.contains("第 4 行"))
                #expect(html.contains("校验位错误"))
                #expect(html.contains("只导入正确的 1 行"))
                #expect(!html.contains("value=\"all\""))
                let marker = "/teachers/import/"
                let start = html.range(of: marker + "")!.upperBound
                uploadID = Int(html[start...].prefix { $0.isNumber }) ?? 0
            }
            #expect(uploadID > 0)
            #expect(try await TeacherModel.query(on: app.db).count() == before, "a preview writes nothing")
            try await app.testing().test(.GET, "/teachers/import/\(uploadID)/errors.xlsx", headers: session.headers) { response in
                #expect(response.status == .ok)
                #expect(response.headers.contentType?.subType.contains("spreadsheetml") == true)
            }
            // Somebody else's upload does not exist for them.
            let other = try await TestUsers.session(app, "chengdu")
            try await app.testing().test(.POST, "/teachers/import/\(uploadID)/commit", headers: other.headers, beforeRequest: { request in
                try request.content.encode(["_csrf": other.csrf, "mode": "valid"], as: .urlEncodedForm)
            }) { #expect($0.status == .notFound) }
            try await app.testing().test(.POST, "/teachers/import/\(uploadID)/commit", headers: session.headers, beforeRequest: { request in
                try request.content.encode(["_csrf": session.csrf, "mode": "valid"], as: .urlEncodedForm)
            }) { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("已写入数据库"))
            }
            #expect(try await TeacherModel.query(on: app.db).count() == before + 1)
            #expect(try await ImportUploadModel.query(on: app.db).count() == 0)
        }
    }

    @Test func theAPIImportsAFileSentAsTheBody() async throws {
        try await withTestApp { app in
            let headers = try await TestUsers.bearer(app, "chengdu")
            let id = ResidentID.completing(body: "51010519950101123").value
            let csv = "县(市、区),所在学校,学段,教师姓名,身份证号码\n青羊区,青羊区实验小学,中小学,新老师,\(id)\n自流井区,某校,中小学,外市老师,\(ResidentID.completing(body: "51030219950101123").value)\n"
            var reportJSON = ""
            try await app.testing().test(.POST, "/api/v1/teachers/import?dryRun=false&createSchools=true&skipInvalid=true", headers: headers, beforeRequest: { request in
                request.headers.add(name: "X-File-Name", value: "qingyang.csv")
                request.body = ByteBuffer(string: csv)
            }) { response in
                #expect(response.status == .ok)
                reportJSON = response.body.string
                let report = try response.content.decode(ImportReport.self)
                #expect(report.committed && report.created == 1)
                #expect(report.errors.map(\.code) == ["region.out_of_scope"])
            }
            #expect(reportJSON.contains("\"row\":3"))
            try await app.testing().test(.POST, "/api/v1/teachers/import", headers: headers, beforeRequest: { request in
                request.body = ByteBuffer(string: "<html><table><tr><td>x</td></tr></table></html>")
            }) { response in
                #expect(response.status == .unprocessableEntity)
                #expect(response.body.string.contains("file.html_table"))
            }
        }
    }

    struct TrackedUpload: Content {
        let _csrf: String
        let file: File
        let progressToken: String
    }

    @Test func theUploadPageCanFollowTheReadOnlyForItsOwnUser() async throws {
        try await withTestApp(demo: .small) { app in
            let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").first()!
            let rows = (0..<1500).map { "锦江区,\(school.name),\(teacherName($0)),\(ResidentID.completing(body: String(format: "5101041990010%04d", $0)).value)" }
            let csv = "县(市、区),所在学校,教师姓名,身份证号码\n" + rows.joined(separator: "\n") + "\n"
            let session = try await TestUsers.session(app, "jinjiang")
            let token = "3f1c2a9e-5b7d-4e61-9c0a-2d8f6b4e1a77"
            try await app.testing().test(.POST, "/teachers/import", headers: session.headers, beforeRequest: { request in
                try request.content.encode(TrackedUpload(_csrf: session.csrf, file: File(data: ByteBuffer(string: csv), filename: "big.csv"), progressToken: token), as: .formData)
            }) { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("共 <strong>1500</strong> 行"))
            }
            try await app.testing().test(.GET, "/api/v1/imports/progress/\(token)", headers: session.headers) { response in
                #expect(response.status == .ok)
                let progress = try response.content.decode(ImportProgressController.ProgressDTO.self)
                #expect(progress.phase == "done" && progress.rows == 1500 && progress.fraction == 1)
            }
            let other = try await TestUsers.session(app, "chengdu")
            try await app.testing().test(.GET, "/api/v1/imports/progress/\(token)", headers: other.headers) { response in
                #expect(response.status == .notFound)
            }
            try await app.testing().test(.GET, "/api/v1/imports/progress/x", headers: session.headers) { response in
                #expect(response.status == .notFound)
            }
            try await app.testing().test(.GET, "/teachers/import", headers: session.headers) { response in
                #expect(response.body.string.contains("data-progress"))
                #expect(response.body.string.contains("<script src=\"/js/import.js\" defer></script>"))
            }
            try await app.testing().test(.GET, "/js/import.js") { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("/api/v1/imports/progress/"))
            }
        }
    }

    /// Over a real connection a big upload arrives in pieces, after the CSRF check has started.
    @Test func aMegabyteUploadOverTCPPassesTheCSRFCheck() async throws {
        try await withTestApp(demo: .small) { app in
            let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").first()!
            let rows = (0..<40_000).map { "锦江区,\(school.name),\(teacherName($0)),\(ResidentID.completing(body: String(format: "510104198%08d", $0)).value)" }
            let csv = "县(市、区),所在学校,教师姓名,身份证号码\n" + rows.joined(separator: "\n") + "\n"
            #expect(csv.utf8.count > 2_000_000)
            let session = try await TestUsers.session(app, "jinjiang")
            let port = Int.random(in: 20_000...40_000)
            try await app.testing(method: .running(port: port)).test(.POST, "/teachers/import", headers: session.headers, beforeRequest: { request in
                try request.content.encode(Upload(_csrf: session.csrf, file: File(data: ByteBuffer(string: csv), filename: "big.csv"), createSchools: nil), as: .formData)
            }) { response in
                #expect(response.status == .ok, "\(response.body.string.prefix(300))")
                #expect(response.body.string.contains("共 <strong>40000</strong> 行"))
            }
        }
    }
}
