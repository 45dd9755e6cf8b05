import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// Background jobs: queued by a page, run by the queue (synchronously here), shown to their
/// owner and the province only, and recovered after a crash without doing anything twice.
@Suite struct JobsTests {
    static let day = CivilDate(year: 2017, month: 3, day: 31)!

    func postForm(_ app: Application, _ path: String, _ session: TestUsers.BrowserSession, _ fields: [String: String] = [:]) async throws -> String {
        var location = ""
        try await app.testing().test(.POST, path, headers: session.headers, beforeRequest: { request in
            try request.content.encode(fields.merging(["_csrf": session.csrf]) { a, _ in a }, as: .urlEncodedForm)
        }) { response in
            #expect(response.status == .seeOther, "\(path): \(response.status) \(response.body.string.prefix(300))")
            location = response.headers.first(name: .location) ?? ""
        }
        return location
    }

    func jobID(_ location: String) throws -> Int {
        try #require(location.hasPrefix("/jobs/") ? Int(location.dropFirst(6)) : nil)
    }

    @Test func issuingFromThePageRunsAsAJobThatOnlyItsOwnerAndTheProvinceSee() async throws {
        try await withTestApp(demo: .small) { app in
            app.clock = FixedClock(Self.day)
            let session = try await TestUsers.session(app, "sheng")
            let id = try jobID(try await postForm(app, "/certificates/issue", session, ["region": "510100"]))
            #expect(try await CertificateModel.query(on: app.db).count() == 0, "nothing is issued in the request")
            try await app.testing().test(.GET, "/jobs/\(id)", headers: session.headers) { response in
                #expect(response.status == .ok)
                #expect(response.headers.first(name: "Refresh") == "2")
                #expect(response.body.string.contains("排队中"))
                #expect(response.body.string.contains("排队等待签发：成都市"))
            }
            #expect(try await app.jobs.runPending(app) == 1)
            let issued = try await CertificateModel.query(on: app.db).count()
            #expect(issued > 0)
            try await app.testing().test(.GET, "/jobs/\(id)", headers: session.headers) { response in
                #expect(response.headers.first(name: "Refresh") == nil)
                #expect(response.body.string.contains("成都市：本次签发 \(issued) 张"))
                #expect(response.body.string.contains("返回结业证书"))
            }
            let bearer = try await TestUsers.bearer(app, "sheng")
            try await app.testing().test(.GET, "/api/v1/jobs/\(id)", headers: bearer) { response in
                let job = try response.content.decode(JobDTO.self)
                #expect(job.state == "done" && job.fraction == 1 && job.attempts == 1)
                #expect(job.done == job.total && job.total == app.regions.counties(in: "510100").count)
                #expect(job.certificates?.outcome.issued == issued)
            }
            for other in ["chengdu", "jinjiang", "pingshen"] {
                try await app.testing().test(.GET, "/api/v1/jobs/\(id)", headers: try await TestUsers.bearer(app, other)) {
                    #expect($0.status == .notFound, "\(other) sees the province's job")
                }
            }
            // The API queues the same job when asked to, and answers 202.
            try await app.testing().test(.POST, "/api/v1/certificates/issue?background=true", headers: bearer, beforeRequest: {
                try $0.content.encode(["region": "510104"], as: .json)
            }) { response in
                #expect(response.status == .accepted)
                let job = try response.content.decode(JobDTO.self)
                #expect(job.state == "queued")
            }
            #expect(try await app.jobs.runPending(app) == 1)
            #expect(try await CertificateModel.query(on: app.db).count() == issued, "issuing again issues nothing twice")
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "job").count() == 2)
        }
    }

    @Test func aJobCutShortRunsAgainIfItMayElseFailsWithAReason() async throws {
        try await withTestApp(demo: .small) { app in
            let clock = FixedClock(Self.day)
            app.clock = clock
            let owner = try #require(try await UserModel.query(on: app.db).filter(\.$username == "sheng").first())
            let user = try CurrentUser(owner, channel: .session, regions: app.regions)
            func job(_ kind: JobKind, retryable: Bool, attempts: Int, heartbeat: TimeInterval) async throws -> JobModel {
                let job = try await app.jobs.enqueue(kind, payload: CertificateIssueJob.Payload(region: "510104"), owner: user,
                                                     address: "127.0.0.1", regionCode: "510104", on: app.db, clock: clock)
                job.state = "running"
                job.retryable = retryable
                job.attempts = attempts
                job.lockedBy = "a-dead-instance"
                job.heartbeatAt = clock.now().addingTimeInterval(-heartbeat)
                try await job.update(on: app.db)
                return job
            }
            let stale = try await job(.issueCertificates, retryable: true, attempts: 1, heartbeat: 120)
            let fresh = try await job(.issueCertificates, retryable: true, attempts: 1, heartbeat: 1)
            let oneWay = try await job(.issueCertificates, retryable: false, attempts: 1, heartbeat: 120)
            let tooOften = try await job(.issueCertificates, retryable: true, attempts: 3, heartbeat: 120)
            let recovered = try await app.jobs.recover(on: app.db, now: clock.now())
            #expect(recovered.requeued == 1 && recovered.failed == 2)
            func reload(_ job: JobModel) async throws -> JobModel { try #require(try await JobModel.find(job.id, on: app.db)) }
            #expect(try await reload(stale).state == "queued")
            #expect(try await reload(fresh).state == "running", "a job whose instance still stamps it is left alone")
            #expect(try await reload(oneWay).error?.contains("不能自动重做") == true)
            #expect(try await reload(tooOften).error?.contains("不再自动重试") == true)
            // At the start of the one SQLite instance whatever runs is abandoned, however fresh.
            #expect(try await app.jobs.recover(on: app.db, now: clock.now(), everyRunning: true).requeued == 1)
            #expect(try await app.jobs.runPending(app) == 2)
            let done = try await reload(stale)
            #expect(done.state == "done" && done.attempts == 2 && done.lockedBy == nil)
            let again = try await reload(fresh)
            let outcome = try #require(try JobDTO(again, app: app).certificates?.outcome)
            #expect(outcome.issued == 0 && outcome.alreadyIssued > 0, "the second run finds the first one's certificates")
        }
    }

    /// SQLite's one instance writes no stamps (they would wait for the job's own write lock), so
    /// its poller must not take a job that has run past `staleAfter` for abandoned: it is its own.
    @Test(.enabled(if: (ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "").isEmpty, "SQLite only"))
    func theSQLiteInstanceLeavesItsOwnLongJobRunning() async throws {
        try await withTestApp { app in
            let clock = FixedClock(Self.day)
            app.clock = clock
            app.jobs.settings.staleAfter = 0.2
            app.jobs.settings.pollInterval = .milliseconds(20)
            let owner = try #require(try await UserModel.query(on: app.db).filter(\.$username == "sheng").first())
            // Queued and set running in one transaction: a queued row the poller could see would be its to take.
            func running(lockedBy instance: String) async throws -> JobModel {
                try await app.db.transaction { db in
                    let job = try await app.jobs.enqueue(.issueCertificates, payload: CertificateIssueJob.Payload(region: "510104"),
                                                         owner: try CurrentUser(owner, channel: .session, regions: app.regions),
                                                         address: "127.0.0.1", regionCode: "510104", on: db, clock: clock)
                    job.state = "running"
                    job.lockedBy = instance
                    job.heartbeatAt = clock.now().addingTimeInterval(-60)
                    try await job.update(on: db)
                    return job
                }
            }
            // A job of the process before: the start's recovery queues it again and the poller runs it.
            let before = try await running(lockedBy: "a-previous-process")
            app.jobs.startPolling(app)
            for _ in 0..<600 where try await JobModel.find(before.id, on: app.db)?.state == "running" {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(try await JobModel.find(before.id, on: app.db)?.state != "running", "the start's recovery took the previous process's job")
            let job = try await running(lockedBy: app.jobs.instanceID)
            try await Task.sleep(for: .seconds(1))  // recovery rounds every 0.1 s
            await app.jobs.stopPolling()
            let after = try #require(try await JobModel.find(job.id, on: app.db))
            #expect(after.state == "running" && after.lockedBy == app.jobs.instanceID && after.attempts == 0, "\(after.state) \(after.lockedBy ?? "-") \(after.attempts) \(after.error ?? "")")
        }
    }

    @Test func twoClaimsNeverTakeTheSameJob() async throws {
        try await withTestApp { app in
            let owner = try CurrentUser(try #require(try await UserModel.query(on: app.db).filter(\.$username == "sheng").first()), channel: .session, regions: app.regions)
            for _ in 0..<6 {
                _ = try await app.jobs.enqueue(.issueCertificates, payload: CertificateIssueJob.Payload(region: "510104"), owner: owner,
                                               address: "x", regionCode: nil, on: app.db, clock: app.clock)
            }
            let other = JobQueue()
            // Three claims from each of two instances at once.
            let claimed = try await withThrowingTaskGroup(of: Int?.self) { group in
                for queue in [app.jobs, other, app.jobs, other, app.jobs, other] {
                    group.addTask { try await queue.claim(on: app.db, now: Date()) }
                }
                var ids: [Int] = []
                for try await id in group { if let id { ids.append(id) } }
                return ids
            }
            #expect(claimed.count == 6 && Set(claimed).count == 6)
            #expect(try await app.jobs.claim(on: app.db, now: Date()) == nil)
            let holders = try await JobModel.query(on: app.db).all().compactMap(\.lockedBy)
            #expect(Set(holders) == [app.jobs.instanceID, other.instanceID] || Set(holders).count == 1)
        }
    }

    @Test func anUnknownKindOrADisabledOwnerFailsTheJobWithAReason() async throws {
        try await withTestApp { app in
            let model = try #require(try await UserModel.query(on: app.db).filter(\.$username == "chengdu").first())
            let owner = try CurrentUser(model, channel: .session, regions: app.regions)
            let job = try await app.jobs.enqueue(.issueCertificates, payload: CertificateIssueJob.Payload(region: "510104"), owner: owner,
                                                 address: "x", regionCode: nil, on: app.db, clock: app.clock)
            try await app.jobs.runPending(app)
            // A city may not issue (PEIXUN_CERTIFICATE_LOCAL_ISSUE is off): checked again when the job runs.
            #expect(try await JobModel.find(job.id, on: app.db)?.error == "证书由省执行办统一签发")
            let second = try await app.jobs.enqueue(.issueCertificates, payload: CertificateIssueJob.Payload(region: "510104"), owner: owner,
                                                    address: "x", regionCode: nil, on: app.db, clock: app.clock)
            second.kind = "no.such.kind"
            try await second.update(on: app.db)
            try await app.jobs.runPending(app)
            #expect(try await JobModel.find(second.id, on: app.db)?.error?.contains("未知的任务类型") == true)
        }
    }
}
