import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// Issue 16 item 3, the rest: large exports run as jobs and give the same file; the jobs list
/// (own jobs, the province's all), paged; failed jobs on 待办 with a retry where it is safe.
@Suite struct JobsListTests {
    func body(_ app: Application, _ path: String, _ headers: HTTPHeaders, status: HTTPStatus = .ok) async throws -> Data {
        var data = Data()
        try await app.testing().test(.GET, path, headers: headers) { response in
            #expect(response.status == status, "\(path): \(response.status) \(response.body.string.prefix(300))")
            data = Data(buffer: response.body)
        }
        return data
    }

    /// Asks for an export above the threshold: the browser is sent to the job page, the API gets 202 and the job.
    func startExport(_ app: Application, _ path: String, session: TestUsers.BrowserSession, bearer: HTTPHeaders) async throws -> Int {
        var location = ""
        try await app.testing().test(.GET, path, headers: session.headers) { response in
            #expect(response.status == .seeOther, "\(path): \(response.status) \(response.body.string.prefix(300))")
            location = response.headers.first(name: .location) ?? ""
        }
        let id = try #require(location.hasPrefix("/jobs/") ? Int(location.dropFirst(6)) : nil)
        try await app.testing().test(.GET, path, headers: bearer) { response in
            #expect(response.status == .accepted)
            #expect(response.headers.first(name: .location) == "/api/v1/jobs/\(id)")
            let job = try response.content.decode(JobDTO.self)
            #expect(job.id == id && job.state == "queued", "the same export asked again while queued is the same job")
        }
        return id
    }

    @Test func largeExportsRunAsJobsAndGiveTheSameFile() async throws {
        try await withTestApp(demo: .small) { app in
            let session = try await TestUsers.session(app, "chengdu")
            let bearer = try await TestUsers.bearer(app, "chengdu")
            let exports = ["/teachers/export?region=510104&format=csv", "/reports/untrained?region=510100&year=2016&format=csv"]
            let direct = try await exports.asyncMap { try await body(app, $0, bearer) }
            #expect(direct.allSatisfy { $0.count > 1000 })

            app.jobs.settings.inlineExportRows = 10
            var ids: [Int] = []
            for path in exports { ids.append(try await startExport(app, path, session: session, bearer: bearer)) }
            try await app.testing().test(.GET, "/jobs/\(ids[0])", headers: session.headers) { response in
                #expect(response.headers.first(name: "Refresh") == "2")
                #expect(response.body.string.contains("排队等待导出：锦江区教师名册"))
            }
            _ = try await body(app, "/jobs/\(ids[0])/file", bearer, status: .notFound)
            #expect(try await app.jobs.runPending(app) == 2)
            for (id, expected) in zip(ids, direct) {
                #expect(try await body(app, "/jobs/\(id)/file", bearer) == expected, "job \(id) wrote another file than the direct download")
                let job = try JobDTO(try #require(try await JobModel.find(id, on: app.db)), app: app)
                #expect(job.state == "done" && job.fileURL == "/jobs/\(id)/file" && job.export?.format == "csv")
            }
            try await app.testing().test(.GET, "/jobs/\(ids[0])", headers: session.headers) { response in
                #expect(response.headers.first(name: "Refresh") == nil)
                #expect(response.body.string.contains("下载 CSV 文件"))
            }
            // Owner and province only; another county or city does not see it.
            _ = try await body(app, "/jobs/\(ids[0])/file", try await TestUsers.bearer(app, "sheng"))
            for other in ["jinjiang", "pingshen"] {
                _ = try await body(app, "/jobs/\(ids[0])/file", try await TestUsers.bearer(app, other), status: .notFound)
            }
            // An xlsx export through a job reads back as the same rows.
            let xlsxPath = "/teachers/export?region=510104&status=untrained&format=xlsx"
            let id = try await startExport(app, xlsxPath, session: session, bearer: bearer)
            #expect(try await app.jobs.runPending(app) == 1)
            let directory = NSTemporaryDirectory() + "peixun-jobexport-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try await body(app, "/jobs/\(id)/file", bearer).write(to: URL(fileURLWithPath: directory + "/job.xlsx"))
            app.jobs.settings.inlineExportRows = 50_000
            try await body(app, xlsxPath, bearer).write(to: URL(fileURLWithPath: directory + "/direct.xlsx"))
            #expect(try convertToCSV(directory + "/job.xlsx", directory: directory) == convertToCSV(directory + "/direct.xlsx", directory: directory))
            // Each start and each file written is audited.
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "job").count() == 3)
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "teacher_list").count() == 4)
        }
    }

    func enqueue(_ app: Application, _ username: String, query: String = "region=510104&format=csv") async throws -> JobModel {
        let owner = try #require(try await UserModel.query(on: app.db).filter(\.$username == username).first())
        let payload = ExportJob.Payload(source: .teachers, query: query, format: "csv", title: "教师名册", rows: 1)
        return try await app.jobs.enqueue(.export, payload: payload, owner: try CurrentUser(owner, channel: .session, regions: app.regions), address: "127.0.0.1",
                                          regionCode: owner.regionCode, on: app.db, clock: app.clock)
    }

    @Test func theListShowsOwnJobsAndTheProvinceEveryonesPaged() async throws {
        try await withTestApp(demo: .small) { app in
            for _ in 0..<3 { _ = try await enqueue(app, "chengdu") }
            for _ in 0..<52 { _ = try await enqueue(app, "sheng", query: "format=csv") }
            let county = try await TestUsers.bearer(app, "chengdu")
            try await app.testing().test(.GET, "/api/v1/jobs", headers: county) { response in
                let list = try response.content.decode(JobsController.ListDTO.self)
                #expect(list.total == 3 && list.jobs.count == 3 && list.pageCount == 1)
                #expect(list.jobs.map(\.job.id) == list.jobs.map(\.job.id).sorted(by: >), "newest first")
            }
            let province = try await TestUsers.bearer(app, "sheng")
            try await app.testing().test(.GET, "/api/v1/jobs?page=2", headers: province) { response in
                let list = try response.content.decode(JobsController.ListDTO.self)
                #expect(list.total == 55 && list.page == 2 && list.pageCount == 2 && list.jobs.count == 5)
                #expect(list.jobs.suffix(3).allSatisfy { $0.owner.contains("chengdu") }, "the oldest page holds 成都's jobs")
            }
            try await app.testing().test(.GET, "/api/v1/jobs?page=99", headers: province) { response in
                let list = try response.content.decode(JobsController.ListDTO.self)
                #expect(list.page == 2, "past the end is the last page")
            }
            try await app.testing().test(.GET, "/api/v1/jobs?page=abc", headers: province) { response in
                #expect(response.status == .badRequest)
                #expect(response.body.string.contains("页码"))
            }
            try await app.testing().test(.GET, "/api/v1/jobs", headers: try await TestUsers.bearer(app, "jinjiang")) { response in
                let list = try response.content.decode(JobsController.ListDTO.self)
                #expect(list.total == 0)
            }
            let session = try await TestUsers.session(app, "sheng")
            try await app.testing().test(.GET, "/jobs", headers: session.headers) { response in
                let html = response.body.string
                #expect(response.status == .ok)
                #expect(html.contains("<th>发起人</th>") && html.contains("导出名单") && html.contains("排队中"))
                #expect(html.contains("href=\"/jobs?page=2\""), "the page bar")
                #expect(response.headers.first(name: "Refresh") == "10", "queued jobs: the list refreshes itself")
                #expect(html.contains("本页每 10 秒自动刷新"))
            }
            try await app.testing().test(.GET, "/jobs", headers: try await TestUsers.session(app, "chengdu").headers) { response in
                #expect(!response.body.string.contains("<th>发起人</th>"))
            }
        }
    }

    @Test func aFailedJobIsOnTheOwnersTodoWithItsReasonAndARetry() async throws {
        try await withTestApp(demo: .small) { app in
            let job = try await enqueue(app, "chengdu")
            // The shared folder cannot take the file: a file stands where its folder should be.
            let folder = app.uploads.directory.appendingPathComponent("jobs")
            try? FileManager.default.removeItem(at: folder)
            try FileManager.default.createDirectory(at: app.uploads.directory, withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: folder.path, contents: Data("x".utf8)))
            #expect(try await app.jobs.runPending(app) == 1)
            let failed = try #require(try await JobModel.find(job.id, on: app.db))
            #expect(failed.state == "failed" && failed.error?.isEmpty == false)

            let owner = try await TestUsers.session(app, "chengdu")
            let bearer = try await TestUsers.bearer(app, "chengdu")
            var waiting = 0
            try await app.testing().test(.GET, "/api/v1/todo", headers: bearer) { response in
                let board = try response.content.decode(TodoBoard.Board.self)
                let item = try #require(board.items.first { $0.url == "/jobs/\(job.id!)" })
                #expect(item.title == "后台任务未完成：导出名单（任务 \(job.id!)）")
                #expect(item.detail?.contains(failed.error!) == true && item.detail?.contains("重试") == true)
                waiting = board.waiting
            }
            try await app.testing().test(.GET, "/todo", headers: owner.headers) { response in
                #expect(response.body.string.contains("<span class=\"badge\" title=\"待办事项\">\(waiting)</span>"), "the menu counts it as the board does")
            }
            try await app.testing().test(.GET, "/api/v1/todo", headers: try await TestUsers.bearer(app, "sheng")) { response in
                #expect(!response.body.string.contains("/jobs/\(job.id!)"), "only its owner's 待办")
            }
            try await app.testing().test(.GET, "/jobs/\(job.id!)", headers: owner.headers) { response in
                #expect(response.body.string.contains("action=\"/jobs/\(job.id!)/retry\""))
            }
            // The province sees it but does not run it again in another's name.
            try await app.testing().test(.POST, "/api/v1/jobs/\(job.id!)/retry", headers: try await TestUsers.bearer(app, "sheng")) {
                #expect($0.status == .forbidden)
            }
            try await app.testing().test(.POST, "/api/v1/jobs/\(job.id!)/retry", headers: try await TestUsers.bearer(app, "jinjiang")) {
                #expect($0.status == .notFound)
            }
            try FileManager.default.removeItem(at: folder)
            try await app.testing().test(.POST, "/jobs/\(job.id!)/retry", headers: owner.headers, beforeRequest: { request in
                try request.content.encode(["_csrf": owner.csrf], as: .urlEncodedForm)
            }) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers.first(name: .location) == "/jobs/\(job.id!)")
            }
            try await app.testing().test(.GET, "/api/v1/todo", headers: bearer) { response in
                #expect(!response.body.string.contains("/jobs/\(job.id!)"), "retried: off 待办")
            }
            #expect(try await app.jobs.runPending(app) == 1)
            #expect(try await JobModel.find(job.id, on: app.db)?.state == "done")
            try await app.testing().test(.POST, "/api/v1/jobs/\(job.id!)/retry", headers: bearer) {
                #expect($0.status == .conflict, "a job that is done is not run again")
            }
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "job").filter(\.$action == "update").count() == 1)

            // A job that may not simply run again says so, and offers no retry.
            let other = try await enqueue(app, "chengdu")
            try await JobModel.query(on: app.db).filter(\.$id == other.id!).set(\.$state, to: "failed").set(\.$retryable, to: false)
                .set(\.$error, to: "任务执行中服务中断").set(\.$finishedAt, to: app.clock.now()).update()
            try await app.testing().test(.GET, "/api/v1/todo", headers: bearer) { response in
                let board = try response.content.decode(TodoBoard.Board.self)
                let item = try #require(board.items.first { $0.url == "/jobs/\(other.id!)" })
                #expect(item.detail?.contains("请回到原页面重新发起") == true)
            }
            try await app.testing().test(.POST, "/api/v1/jobs/\(other.id!)/retry", headers: bearer) { #expect($0.status == .conflict) }
        }
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
