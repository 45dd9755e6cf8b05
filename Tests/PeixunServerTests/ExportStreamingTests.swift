import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// Issue 16 item 3: an export job reads its rows a chunk at a time and writes each straight
/// into the file. Chunks of 17 rows here, so that a county of the small demo spans many.
@Suite struct ExportStreamingTests {
    static let chunk = 17

    func get(_ app: Application, _ path: String, _ headers: HTTPHeaders, status: HTTPStatus = .ok) async throws -> Data {
        try await JobsListTests().body(app, path, headers, status: status)
    }

    /// Starts an export as an API client: 202 and the job's id.
    func start(_ app: Application, _ path: String, _ bearer: HTTPHeaders) async throws -> Int {
        var id: Int?
        try await app.testing().test(.GET, path, headers: bearer) { response in
            #expect(response.status == .accepted, "\(path): \(response.status) \(response.body.string.prefix(300))")
            id = try? response.content.decode(JobDTO.self).id
        }
        return try #require(id)
    }

    /// A CSV export's data lines (after the BOM and the header), split into cells.
    func lines(_ data: Data) -> [[String]] {
        let text = String(decoding: data.dropFirst(3), as: UTF8.self)
        return text.components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }.map { $0.components(separatedBy: ",") }
    }

    /// The registry of 锦江区 as one plain query sees it, in `order`: school, name, masked ID, mobile.
    func reference(_ app: Application, order: SQLQueryString) async throws -> [[String]] {
        struct Row: Decodable { let school: String; let name: String; let resident_id: String; let mobile: String? }
        let sql = app.db as! any SQLDatabase
        return try await sql.raw("""
            SELECT s.name AS school, t.name, t.resident_id, t.mobile FROM teachers t JOIN schools s ON s.id = t.school_id
            WHERE t.county_code = '510104' ORDER BY \(order)
            """).all(decoding: Row.self).map { [$0.school, $0.name, ResidentID(canonical: $0.resident_id)?.masked ?? "", $0.mobile ?? ""] }
    }

    @Test func aJobLargerThanTheChunkWritesEveryRowOnceInOrder() async throws {
        try await withTestApp(demo: .small) { app in
            let bearer = try await TestUsers.bearer(app, "chengdu")
            let dialect = (app.db as! any SQLDatabase).dialect.name
            let exports: [(path: String, order: SQLQueryString)] = [
                ("/teachers/export?region=510104&format=csv", "t.county_code, s.name, t.name, t.id"),
                ("/teachers/export?region=510104&sort=name&order=desc&format=csv", TeacherSearch.Sort.name.orderBy(descending: true, dialect: dialect)),
            ]
            app.jobs.settings.inlineExportRows = 10
            app.jobs.settings.exportChunkRows = Self.chunk
            for export in exports {
                let id = try await start(app, export.path, bearer)
                #expect(try await app.jobs.runPending(app) == 1)
                let written = lines(try await get(app, "/jobs/\(id)/file", bearer))
                let expected = try await reference(app, order: export.order)
                #expect(expected.count > Self.chunk * 3, "the county spans several chunks")
                #expect(written.count == expected.count)
                #expect(written.map { [$0[1], $0[3], $0[4], $0[5]] } == expected, "\(export.path): every row once, in the list's order")
                let job = try JobDTO(try #require(try await JobModel.find(id, on: app.db)), app: app)
                #expect(job.export?.rows == expected.count && job.done == job.total)
            }
            // The untrained list of a city: the same bytes as read in one chunk by the request.
            let untrained = "/reports/untrained?region=510100&year=2016&format=csv"
            let id = try await start(app, untrained, bearer)
            #expect(try await app.jobs.runPending(app) == 1)
            let job = try await get(app, "/jobs/\(id)/file", bearer)
            app.jobs.settings.inlineExportRows = 1_000_000
            app.jobs.settings.exportChunkRows = 1_000_000
            let direct = try await get(app, untrained, bearer)
            #expect(lines(direct).count > Self.chunk * 3)
            #expect(job == direct)
        }
    }

    @Test func aRestartMidJobLeavesNoHalfFileDone() async throws {
        try await withTestApp(demo: .small) { app in
            let bearer = try await TestUsers.bearer(app, "chengdu")
            let path = "/teachers/export?region=510104&format=csv"
            let direct = try await get(app, path, bearer)
            app.jobs.settings.inlineExportRows = 10
            let id = try await start(app, path, bearer)

            // The first run stops after two chunks and never goes on, as a killed process would.
            #expect(try await app.jobs.claim(on: app.db, now: app.clock.now()) == id)
            let context = try await JobContext(job: try #require(try await JobModel.find(id, on: app.db)), app: app, queue: app.jobs)
            let (stopped, signal) = AsyncStream<Void>.makeStream()
            let first = Task {
                try await ExportJob.write(context, chunkRows: Self.chunk) { done in
                    guard done >= Self.chunk * 2 else { return }
                    signal.yield()
                    try await Task.sleep(for: .seconds(3600))
                }
            }
            var waiting = stopped.makeAsyncIterator()
            _ = await waiting.next()

            let folder = app.uploads.directory.appendingPathComponent("jobs")
            let final = ExportJob.outputURL(jobID: id, format: "csv", app: app)
            func partials() throws -> [String] {
                try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".partial") }
            }
            let half = try #require(try partials().first)
            #expect(lines(try Data(contentsOf: folder.appendingPathComponent(half))).count == Self.chunk * 2, "half the rows are on disk…")
            #expect(!FileManager.default.fileExists(atPath: final.path), "…under another name")
            _ = try await get(app, "/jobs/\(id)/file", bearer, status: .notFound)
            #expect(try await JobModel.find(id, on: app.db)?.state == "running")

            // The next start finds it running, queues it again, and runs it to the end.
            let recovered = try await app.jobs.recover(on: app.db, now: app.clock.now(), everyRunning: true)
            #expect(recovered.requeued == 1)
            _ = try await get(app, "/jobs/\(id)/file", bearer, status: .notFound)
            #expect(try await app.jobs.runPending(app) == 1)
            #expect(try await get(app, "/jobs/\(id)/file", bearer) == direct)

            // The stopped run, should it ever go on, only removes its own half file.
            first.cancel()
            await #expect(throws: CancellationError.self) { try await first.value }
            #expect(try partials().isEmpty)
            #expect(try Data(contentsOf: final) == direct)
        }
    }

    @Test func aListBeyondOneSheetIsRefusedInChinese() throws {
        #expect(throws: Never.self) { try TableLayout.checkRowLimit(TableLayout.maxRows, what: "教师") }
        let error = try #require(throws: AppError.self) { try TableLayout.checkRowLimit(TableLayout.maxRows + 1, what: "教师") }
        #expect(error.reason.contains("1048575 人") && error.reason.contains("按市(州)或县(市、区)分别导出"))
    }
}
