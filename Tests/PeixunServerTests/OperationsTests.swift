import Fluent
import Foundation
import Logging
import PeixunCore
import NIOConcurrencyHelpers
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// `/healthz`, `/readyz`, `/metrics`, the request id and the request log line.
/// (Backup and restore: `OperationsBackupTests`, below.)
@Suite struct OperationsTests {
    static let token = "metrics-token-0123456789abcdef"

    @Test func requestIDIsEchoedWhenWellFormedAndReplacedWhenNot() async throws {
        try await withTestApp(users: false) { app in
            try await app.testing().test(.GET, "/healthz", headers: ["X-Request-Id": "nginx-0af3:17.2_x"]) { response in
                #expect(response.status == .ok)
                #expect(response.text == "ok")
                #expect(response.headers.first(name: "X-Request-Id") == "nginx-0af3:17.2_x")
            }
            for hostile in ["a b", "<script>", "\"}{\"level\":\"error", String(repeating: "a", count: 129), "请求编号"] {
                try await app.testing().test(.GET, "/healthz", headers: ["X-Request-Id": hostile]) { response in
                    let echoed = try #require(response.headers.first(name: "X-Request-Id"))
                    #expect(echoed != hostile)
                    #expect(RequestID.isWellFormed(echoed) && UUID(uuidString: echoed) != nil, "\(echoed)")
                }
            }
            try await app.testing().test(.GET, "/no/such/page") { response in
                #expect(response.status == .notFound)
                #expect(response.headers.first(name: "X-Request-Id").map(RequestID.isWellFormed) == true)
            }
        }
    }

    @Test func readyzIsReadyOnlyWhenTheDatabaseHasEveryMigration() async throws {
        try await withTestApp(users: false) { app in
            struct Body: Decodable { let status: String; let reason: String?; let pendingMigrations: [String]?; let appliedMigrations: Int? }
            try await app.testing().test(.GET, "/readyz") { response in
                #expect(response.status == .ok)
                let body = try response.content.decode(Body.self)
                #expect(body.status == "ready" && body.reason == nil && body.pendingMigrations == [])
                #expect((body.appliedMigrations ?? 0) >= 20)
            }
            // As if this instance were newer than the database: one migration not yet run.
            let last = try #require(try await app.migrator.previewRevertLastBatch().get().first?.0.name)
            try await app.sql.raw("DELETE FROM _fluent_migrations WHERE name = \(bind: last)").run()
            try await app.testing().test(.GET, "/readyz") { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers.contentType == .json)
                let body = try response.content.decode(Body.self)
                #expect(body.status == "not_ready")
                #expect(body.pendingMigrations == [last])
                #expect(body.reason == "有 1 个数据库迁移尚未执行：请先运行 peixun migrate")
            }
            try await app.sql.raw("DROP TABLE _fluent_migrations").run()
            try await app.testing().test(.GET, "/readyz") { response in
                #expect(response.status == .serviceUnavailable)
                let body = try response.content.decode(Body.self)
                #expect(body.reason == "数据库尚未建表：请先运行 peixun migrate")
            }
        }
    }

    @Test func metricsCountRequestsByRoutePatternNotByURL() async throws {
        try await withTestApp(users: false) { app in
            app.operationsSettings.metricsToken = Self.token
            for _ in 0..<3 { try await app.testing().test(.GET, "/healthz") { _ in } }
            try await app.testing().test(.GET, "/verify/SECRET-NUMBER-4711") { _ in }
            try await app.testing().test(.GET, "/no/such/page-0815") { _ in }
            try await app.testing().test(.GET, "/metrics", headers: ["Authorization": "Bearer \(Self.token)"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers.contentType?.description.hasPrefix("text/plain") == true)
                let text = response.text
                #expect(text.contains(#"peixun_http_requests_total{method="GET",route="/healthz",status="2xx"} 3"#), "\(text)")
                #expect(text.contains(#"peixun_http_request_duration_seconds_count{method="GET",route="/healthz"} 3"#))
                #expect(text.contains(#"route="/verify/:token""#))
                #expect(text.contains(#"route="(unmatched)",status="4xx"} 1"#))
                #expect(!text.contains("SECRET-NUMBER") && !text.contains("0815"), "raw URLs would make the series unbounded")
                #expect(text.contains("# TYPE peixun_job_queue_depth gauge"))
                #expect(!text.contains(#"status="5xx""#), "no rows of zeros")
            }
            app.operationsMetrics.recordImport(kind: "teachers", committed: true, rows: 12_000, seconds: 4)
            try await app.testing().test(.GET, "/metrics", headers: ["Authorization": "Bearer \(Self.token)"]) { response in
                #expect(response.text.contains(#"peixun_import_rows_total{kind="teachers",phase="commit"} 12000"#))
                #expect(response.text.contains(#"peixun_import_last_rows_per_second{kind="teachers",phase="commit"} 3000.0"#))
            }
        }
    }

    @Test func importsAreCountedInRowsAndSeconds() async throws {
        try await withTestApp(demo: .small) { app in
            app.operationsSettings.metricsToken = Self.token
            let bearer = try await TestUsers.bearer(app, "jinjiang")
            let csv = "县(市、区),所在学校,学段,教师姓名,身份证号码\n锦江区,锦江区新学校,中小学,张三,\(ResidentID.completing(body: "51010419800101123").value)\n"
            try await app.testing().test(.POST, "/api/v1/teachers/import?dryRun=true&createSchools=true", headers: bearer, beforeRequest: { request in
                request.body = ByteBuffer(string: csv)
            }) { #expect($0.status == .ok) }
            try await app.testing().test(.GET, "/metrics", headers: ["Authorization": "Bearer \(Self.token)"]) { response in
                #expect(response.text.contains(#"peixun_import_rows_total{kind="teachers",phase="preview"} 1"#), "\(response.text)")
                #expect(response.text.contains(#"peixun_import_duration_seconds_total{kind="teachers",phase="preview"}"#))
            }
        }
    }

    @Test func metricsAreForLoopbackOrTheTokenOnly() async throws {
        try await withTestApp(users: false) { app in
            app.operationsSettings.metricsToken = Self.token
            // In memory there is no peer address: as good as a stranger's.
            try await app.testing().test(.GET, "/metrics") { response in
                #expect(response.status == .forbidden)
                #expect(response.text.contains("监控指标仅供本机访问"))
            }
            try await app.testing().test(.GET, "/metrics", headers: ["Authorization": "Bearer wrong-token-0123456789"]) { response in
                #expect(response.status == .forbidden, "a wrong token is refused, and is not taken for a user's API token")
            }
            let live = try app.testing(method: .running(hostname: "127.0.0.1", port: 0))
            try await live.test(.GET, "/metrics") { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("peixun_http_requests_total"))
            }
            // Behind nginx the peer is loopback; the client it names is not.
            try await live.test(.GET, "/metrics", headers: ["X-Forwarded-For": "203.0.113.9"]) { response in
                #expect(response.status == .forbidden)
            }
            try await live.test(.GET, "/metrics", headers: ["X-Forwarded-For": "127.0.0.1, 198.51.100.1"]) { response in
                #expect(response.status == .forbidden)
            }
            try await live.test(.GET, "/metrics", headers: ["X-Forwarded-For": "203.0.113.9", "Authorization": "Bearer \(Self.token)"]) { response in
                #expect(response.status == .ok)
            }
            try await live.test(.GET, "/metrics", headers: ["X-Real-IP": "::1", "X-Forwarded-For": "127.0.0.1"]) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(MetricsAccess.isLoopback("127.8.9.10") && MetricsAccess.isLoopback("::ffff:127.0.0.1") && MetricsAccess.isLoopback("::1"))
        #expect(!MetricsAccess.isLoopback("128.0.0.1") && !MetricsAccess.isLoopback("127.0.0.1.evil") && !MetricsAccess.isLoopback("::ffff:10.0.0.1"))
    }

    @Test func metricsTokenMustBeLongEnough() throws {
        #expect(try OperationsSettings.fromEnvironment(["PEIXUN_METRICS_TOKEN": Self.token]).metricsToken == Self.token)
        #expect(try OperationsSettings.fromEnvironment([:]).metricsToken == nil)
        #expect(throws: AppConfig.Invalid.self) { try OperationsSettings.fromEnvironment(["PEIXUN_METRICS_TOKEN": "short"]) }
        #expect(try OperationsSettings.fromEnvironment(["PEIXUN_LOG_FORMAT": "JSON"]).logFormat == .json)
        let error = #expect(throws: AppConfig.Invalid.self) { try OperationsSettings.fromEnvironment(["PEIXUN_LOG_FORMAT": "xml"]) }
        #expect(error?.description.contains("PEIXUN_LOG_FORMAT 应为 json 或 text，实际为 xml") == true)
    }

    @Test func oneLogLinePerRequestWithRouteStatusDurationAndUser() async throws {
        try await withTestApp(demo: .small) { app in
            let captured = CapturedLog()
            app.logger = Logger(label: "test") { label in captured.handler(label: label) }
            app.middleware.use(RequestObservingMiddleware(metrics: app.operationsMetrics, logFormat: .json))
            let session = try await TestUsers.session(app, "jinjiang")
            var headers = session.headers
            headers.replaceOrAdd(name: "X-Request-Id", value: "req-42")
            try await app.testing().test(.GET, "/teachers/99999999", headers: headers) { response in
                #expect(response.headers.first(name: "X-Request-Id") == "req-42")
            }
            let entry = try #require(captured.entries.withLockedValue { $0 }.first { $0.message == "request" })
            #expect(entry.level == .info)
            #expect(entry.metadata["request-id"] == .string("req-42"))
            #expect(entry.metadata["method"] == .string("GET"))
            #expect(entry.metadata["route"] == .string("/teachers/:teacherID"))
            #expect(entry.metadata["status"]?.description == "404")
            let user = try await UserModel.query(on: app.db).filter(\.$username == "jinjiang").first()!
            #expect(entry.metadata["user-id"]?.description == String(user.id!))
            // As the JSON handler writes it: one parseable object, the request id as `request_id`.
            let line = JSONLogHandler.line(time: Date(timeIntervalSince1970: 1_764_765_000.25), level: entry.level,
                                           message: entry.message, label: "codes.vapor.request", fields: entry.metadata)
            #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["time"] as? String == "2025-12-03T12:30:00.250Z")
            #expect(object["request_id"] as? String == "req-42")
            #expect(object["route"] as? String == "/teachers/:teacherID")
            #expect(object["status"] as? Int == 404)
            #expect(object["user_id"] as? Int == user.id)
            #expect((object["duration_ms"] as? Double).map { $0 >= 0 } == true)
        }
    }

    @Test func jsonLogLinesEscapeWhatTheyCarry() throws {
        let hostile = "张三\"}\n{\"level\":\"error\u{1}\u{2028}<script>"
        let line = JSONLogHandler.line(time: Date(timeIntervalSince1970: 0), level: .warning, message: hostile, label: "l",
                                       fields: ["a-b": .string(hostile), "n": .stringConvertible(-1.5), "list": .array([.string("x"), .stringConvertible(2)])])
        #expect(line.filter { $0 == "\n" }.count == 1, "a message cannot start a second line")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == hostile)
        #expect(object["a_b"] as? String == hostile)
        #expect(object["n"] as? Double == -1.5)
        #expect(object["level"] as? String == "warning")
        #expect(object["time"] as? String == "1970-01-01T00:00:00.000Z")
        #expect(JSONLogHandler.fixed3(0.0004) == "0.000" && JSONLogHandler.fixed3(12.3456) == "12.346")
    }
}

/// Keeps what was logged, for the request-line test.
final class CapturedLog: Sendable {
    struct Entry: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: Logger.Metadata
    }

    let entries = NIOLockedValueBox<[Entry]>([])

    func handler(label: String) -> some LogHandler { Handler(log: self) }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            log.entries.withLockedValue { $0.append(Entry(level: event.level, message: event.message.description, metadata: merged)) }
        }
    }
}

/// `peixun backup` and `peixun restore`, run as the built program beside a serving test app,
/// on whichever database the tests run on (SQLite, or PostgreSQL with `DATABASE_URL`).
@Suite struct OperationsBackupTests {
    @Test func backupWhileServingRestoresIntoAFreshDatabaseWithEveryRowAndTheSameReport() async throws {
        try await withTestApp(demo: .small) { app in
            let session = try await TestUsers.session(app, "sheng")
            let report = "/api/v1/reports/progress?year=2016"
            var expectedReport = ""
            try await app.testing().test(.GET, report, headers: session.headers) { response in
                #expect(response.status == .ok)
                expectedReport = try Self.canonical(response.text)
            }
            let expectedCounts = try await Self.rowCounts(app)
            #expect(expectedCounts["teachers"] ?? 0 > 1_000 && expectedCounts["training_records"] ?? 0 > 1_000)

            let folder = try Self.temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let file = folder + "/peixun.backup"
            // Requests keep being served while the other process takes the backup.
            let serving = Task {
                var served = 0
                while !Task.isCancelled {
                    try await app.testing().test(.GET, report, headers: session.headers) { #expect($0.status == .ok) }
                    served += 1
                }
                return served
            }
            let backup = try await Self.peixun(["backup", file], Self.environment(of: app))
            serving.cancel()
            let served = try await serving.value
            #expect(backup.status == 0, "\(backup.errors)")
            #expect(backup.output.contains("已备份到 \(file)"))
            #expect(served >= 1)
            #expect(!(try FileManager.default.contentsOfDirectory(atPath: folder)).contains { $0.contains("partial") })

            let again = try await Self.peixun(["backup", file], Self.environment(of: app))
            #expect(again.status == 3 && again.errors.contains("文件已存在"), "a backup never overwrites")

            try await Self.withFreshDatabase(like: app) { fresh, environment in
                let unconfirmed = try await Self.peixun(["restore", file], environment)
                #expect(unconfirmed.status == 2)
                #expect(unconfirmed.errors.contains("peixun restore \(file) --yes"))
                #expect(unconfirmed.errors.contains("只能恢复到空数据库"))

                let restore = try await Self.peixun(["restore", file, "--yes"], environment)
                #expect(restore.status == 0, "\(restore.errors)")
                #expect(restore.output.contains("已恢复到"))
                try await fresh { restored in
                    #expect(try await Self.rowCounts(restored) == expectedCounts)
                    try await restored.testing().test(.GET, report, headers: session.headers) { response in
                        #expect(response.status == .ok)
                        let restoredReport = try Self.canonical(response.text)
                        #expect(restoredReport == expectedReport, "the restored database gives the same report")
                    }
                    try await restored.testing().test(.GET, "/readyz") { #expect($0.status == .ok) }
                }
                let twice = try await Self.peixun(["restore", file, "--yes"], environment)
                #expect(twice.status == 3)
                #expect(twice.errors.contains("不是空的") && twice.errors.contains("不会覆盖已有数据"), "\(twice.errors)")
            }
        }
    }

    @Test func restoreRefusesWhatIsNotABackupAndAFullDatabase() async throws {
        try await withTestApp(users: false) { app in
            let folder = try Self.temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let bogus = folder + "/notes.txt"
            try "不是备份".write(toFile: bogus, atomically: true, encoding: .utf8)
            let refused = try await Self.peixun(["restore", bogus, "--yes"], Self.environment(of: app))
            #expect(refused.status == 3)
            #expect(refused.errors.contains("不是 Peixun 的备份文件"), "\(refused.errors)")
            let missing = try await Self.peixun(["restore", folder + "/none.backup", "--yes"], Self.environment(of: app))
            #expect(missing.status == 2 && missing.errors.contains("找不到备份文件"))

            let file = folder + "/a.backup"
            #expect(try await Self.peixun(["backup", file], Self.environment(of: app)).status == 0)
            let full = try await Self.peixun(["restore", file, "--yes"], Self.environment(of: app))
            #expect(full.status == 3 && full.errors.contains("不是空的"), "\(full.errors)")
            if app.config.storage.isSQLite {
                try await Self.withFreshDatabase(like: app) { _, environment in
                    var postgres = environment
                    postgres["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"
                    let wrongKind = try await Self.peixun(["restore", file, "--yes"], postgres)
                    #expect(wrongKind.status == 3 && wrongKind.errors.contains("这是 SQLite 的备份"), "\(wrongKind.errors)")
                }
            }
        }
    }

    // MARK: helpers

    /// JSON with its keys sorted, so that two answers compare by content.
    static func canonical(_ json: String) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8))
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    static func rowCounts(_ app: Application) async throws -> [String: Int] {
        struct Count: Decodable { let n: Int }
        var counts: [String: Int] = [:]
        for table in try await DatabaseBackup.userTables(app) {
            counts[table] = try await app.sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first(decoding: Count.self)?.n
        }
        return counts
    }

    /// What `peixun` needs to reach the test app's database.
    static func environment(of app: Application) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PEIXUN_DATA_DIR"] = app.config.dataDirectory
        switch app.config.storage {
        case .sqlite:
            environment["DATABASE_URL"] = nil
        case .postgres(let url, let schema):
            environment["DATABASE_URL"] = url
            environment["PEIXUN_PG_SCHEMA"] = schema
        }
        return environment
    }

    typealias Opener = ((Application) async throws -> Void) async throws -> Void

    /// An empty database of the same kind (a new data directory; a new PostgreSQL database
    /// with the same schema name), the environment naming it, and a way to open it as an app.
    static func withFreshDatabase(like app: Application, _ body: (Opener, [String: String]) async throws -> Void) async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var environment = environment(of: app)
        environment["PEIXUN_DATA_DIR"] = folder
        let storage: AppConfig.Storage
        var database: String?
        switch app.config.storage {
        case .sqlite:
            storage = .sqlite(path: folder + "/peixun.sqlite")
        case .postgres(let url, let schema):
            let name = "r_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
            try await app.sql.raw("CREATE DATABASE \(ident: name)").run()
            database = name
            var components = try #require(URLComponents(string: url))
            components.path = "/" + name
            environment["DATABASE_URL"] = components.string!
            storage = .postgres(url: components.string!, searchPath: schema)
        }
        let open: Opener = { use in
            let restored = try await Application.make(.testing)
            do {
                try await configure(restored, config: AppConfig(storage: storage, dataDirectory: folder))
                try await use(restored)
            } catch {
                try await restored.asyncShutdown()
                throw error
            }
            try await restored.asyncShutdown()
        }
        do {
            try await body(open, environment)
        } catch {
            if let database { try? await app.sql.raw("DROP DATABASE \(ident: database) WITH (FORCE)").run() }
            throw error
        }
        if let database { try await app.sql.raw("DROP DATABASE \(ident: database) WITH (FORCE)").run() }
    }

    static func temporaryFolder() throws -> String {
        let folder = NSTemporaryDirectory() + "peixun-backup-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The `peixun` built beside the test runner, as its own process (a backup taken online
    /// comes from another process than the server's).
    static func peixun(_ arguments: [String], _ environment: [String: String]) async throws -> ChildProcess.Result {
        let program = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("peixun")
        try #require(FileManager.default.isExecutableFile(atPath: program.path), "build the peixun product first (swift build --build-tests)")
        return try await ChildProcess.run(program.path, arguments, environment: environment)
    }
}
