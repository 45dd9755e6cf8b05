import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// Two app instances on one database and one upload folder, as behind the proxy: what one
/// request left, the next finds on the other instance.
@Suite struct StatelessInstanceTests {
    struct TrackedUpload: Content {
        let _csrf: String
        let file: File
        let progressToken: String
    }

    /// A second instance of `app`: the same database and folders, its own process state.
    func withSecondInstance(of app: Application, _ body: (Application) async throws -> Void) async throws {
        let other = try await Application.make(.testing)
        do {
            try await configure(other, config: app.config)
            try await body(other)
        } catch {
            try await other.asyncShutdown()
            throw error
        }
        try await other.asyncShutdown()
    }

    func roster(_ app: Application, rows: Int) async throws -> String {
        let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").first()!
        let lines = (0..<rows).map { "锦江区,\(school.name),\(teacherName($0)),\(ResidentID.completing(body: String(format: "51010419910101%03d", $0)).value)" }
        return "县(市、区),所在学校,教师姓名,身份证号码\n" + lines.joined(separator: "\n") + "\n"
    }

    @Test func aPreviewMadeOnOneInstanceIsFollowedAndCommittedAsAJobOnTheOther() async throws {
        try await withTestApp(demo: .small) { app in
            let session = try await TestUsers.session(app, "jinjiang")
            let token = "9b2e6f10-4c3d-4a8e-b1f7-0d5c3a2e9f41"
            let csv = try await roster(app, rows: 800)
            var uploadID = 0
            try await app.testing().test(.POST, "/teachers/import", headers: session.headers, beforeRequest: { request in
                try request.content.encode(TrackedUpload(_csrf: session.csrf, file: File(data: ByteBuffer(string: csv), filename: "锦江.csv"),
                                                         progressToken: token), as: .formData)
            }) { response in
                #expect(response.status == .ok)
                let html = response.body.string
                let start = try #require(html.range(of: "/teachers/import/")).upperBound
                uploadID = Int(html[start...].prefix { $0.isNumber }) ?? 0
            }
            let before = try await TeacherModel.query(on: app.db).count()
            try await withSecondInstance(of: app) { other in
                other.jobs.settings.inlineImportBytes = 0
                try await other.testing().test(.GET, "/api/v1/imports/progress/\(token)", headers: session.headers) { response in
                    #expect(response.status == .ok, "the other instance sees the read's progress")
                    let progress = try response.content.decode(ImportProgressController.ProgressDTO.self)
                    #expect(progress.phase == "done" && progress.rows == 800)
                }
                var location = ""
                try await other.testing().test(.POST, "/teachers/import/\(uploadID)/commit", headers: session.headers, beforeRequest: {
                    try $0.content.encode(["_csrf": session.csrf, "mode": "all"], as: .urlEncodedForm)
                }) { response in
                    #expect(response.status == .seeOther)
                    location = response.headers.first(name: .location) ?? ""
                }
                #expect(location.hasPrefix("/jobs/"))
                #expect(try await TeacherModel.query(on: app.db).count() == before, "the request only queues the commit")
                // The first instance's runner takes the job the second one queued.
                #expect(try await app.jobs.runPending(app) == 1)
                try await other.testing().test(.GET, location, headers: session.headers) { response in
                    let html = response.body.string
                    #expect(html.contains("共 800 行，正确 800 行（新增 800"))
                    #expect(html.contains("已写入数据库"))
                }
                let id = Int(location.dropFirst(6))!
                try await app.testing().test(.GET, "/api/v1/jobs/\(id)", headers: try await TestUsers.bearer(app, "jinjiang")) { response in
                    let job = try response.content.decode(JobDTO.self)
                    #expect(job.state == "done" && job.importResult?.report.committed == true && job.importResult?.report.created == 800)
                }
            }
            #expect(try await TeacherModel.query(on: app.db).count() == before + 800)
            #expect(try await ImportUploadModel.query(on: app.db).count() == 0)
            let check = try await DatabaseCheck(database: app.sql).run()
            #expect(check.ok, "\(check.checks)")
        }
    }

    @Test func aCountysCertificateBookIsDrawnByAJobAndServedByEitherInstance() async throws {
        try await withTestApp(demo: .small) { app in
            _ = try await CertificateIssuance(application: app, actor: .commandLine).issue(regionCode: "510104")
            let count = try await CertificateModel.query(on: app.db).filter(\.$countyCode == "510104").count()
            let session = try await TestUsers.session(app, "jinjiang")
            var location = ""
            try await app.testing().test(.POST, "/certificates/book?region=510104", headers: session.headers, beforeRequest: {
                try $0.content.encode(["_csrf": session.csrf], as: .urlEncodedForm)
            }) { response in
                #expect(response.status == .seeOther)
                location = response.headers.first(name: .location) ?? ""
            }
            #expect(try await app.jobs.runPending(app) == 1)
            let id = try #require(Int(location.dropFirst(6)))
            try await withSecondInstance(of: app) { other in
                try await other.testing().test(.GET, location, headers: session.headers) { response in
                    #expect(response.body.string.contains("/jobs/\(id)/file"))
                }
                try await other.testing().test(.GET, "/jobs/\(id)/file", headers: session.headers) { response in
                    #expect(response.status == .ok)
                    #expect(response.body.readableBytes > 1_000 && response.body.string.hasPrefix("%PDF"))
                }
            }
            let job = try #require(try await JobModel.find(id, on: app.db))
            #expect(job.total == count && job.done == count)
            try await app.testing().test(.GET, "/jobs/\(id)/file", headers: try await TestUsers.session(app, "qingyang").headers) {
                #expect($0.status == .notFound)
            }
        }
    }

    @Test func theCheckFindsARollupThatDiffersFromARebuild() async throws {
        try await withTestApp(demo: .small) { app in
            let clean = try await DatabaseCheck(database: app.sql).run()
            #expect(clean.ok, "\(clean.checks)")
            #expect(clean.checks.count >= 5)
            try await app.sql.raw("UPDATE progress_county_rollups SET teachers = teachers + 1 WHERE county_code = '510104'").run()
            let broken = try await DatabaseCheck(database: app.sql).run()
            #expect(!broken.ok)
            #expect(broken.checks.first { !$0.ok }?.name.contains("progress_county_rollups") == true)
        }
    }

    @Test func theUploadFolderAndTheInstanceCountComeFromTheConfiguration() throws {
        let config = try AppConfig.fromEnvironment(["PEIXUN_UPLOAD_DIR": "/srv/peixun-uploads", "PEIXUN_INSTANCES": "2"])
        #expect(config.uploadDirectory == "/srv/peixun-uploads" && config.instances == 2)
        #expect(VerificationThrottle(perMinute: 120, instances: 2).perMinute == 60)
        #expect(throws: AppConfig.Invalid.self) { try AppConfig.fromEnvironment(["PEIXUN_INSTANCES": "0"]) }
    }
}
