import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// Runs `body` against a fresh, migrated database: a temporary SQLite file by default, or a
/// schema of its own in the PostgreSQL named by `DATABASE_URL`, so that tests run in parallel.
func withTestApp(demo: DemoScale? = nil, seed: UInt64 = 11, users: Bool = true, _ body: (Application) async throws -> Void) async throws {
    _ = lineBufferedOutput
    let app = try await Application.make(.testing)
    let environment = ProcessInfo.processInfo.environment
    let directory = NSTemporaryDirectory() + "peixun-test-" + UUID().uuidString
    var schema: String?
    let storage: AppConfig.Storage
    if let url = environment["DATABASE_URL"], !url.isEmpty {
        schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        storage = .postgres(url: url, searchPath: schema)
    } else {
        storage = .sqlite(path: directory + "/peixun.sqlite")
    }
    do {
        try await configure(app, config: AppConfig(storage: storage, dataDirectory: directory))
        // The suite runs many apps in one process at once; their SQLite work shares one thread pool.
        app.readinessTimeout = .seconds(300)
        if let schema {
            try await app.sql.raw("CREATE SCHEMA \(ident: schema)").run()
        }
        try await app.autoMigrate()
        if let demo {
            _ = try await DemoLoader(database: app.db, generator: DemoProvinceGenerator(scale: demo, seed: seed)).load()
        }
        if users { try await TestUsers.create(app) }
        try await body(app)
    } catch {
        try await cleanUp(app, schema: schema, directory: directory)
        throw error
    }
    try await cleanUp(app, schema: schema, directory: directory)
}

/// Into a pipe (make, CI) the suite's output is block-buffered, so a run that hangs shows
/// minutes-old lines: line by line, `scripts/watch-tests.py` sees which tests are still running.
/// (`stdout` itself is a C global Swift 6 will not touch; its address is looked up.)
private let lineBufferedOutput: Void = {
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "stdout") else { return }
    setvbuf(symbol.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee, nil, _IOLBF, 0)
}()

private func cleanUp(_ app: Application, schema: String?, directory: String) async throws {
    if let schema {
        try? await app.sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run()
    }
    try await app.asyncShutdown()
    try? FileManager.default.removeItem(atPath: directory)
}

extension Application {
    var sql: any SQLDatabase { db as! any SQLDatabase }
}

extension TestingHTTPResponse {
    var text: String { body.string }
}

/// A distinct, valid teacher name for row `number` of a generated list: names may not contain
/// digits, so they are spelt with Chinese numerals (教师一〇七).
func teacherName(_ number: Int) -> String {
    let numerals = Array("〇一二三四五六七八九")
    return "教师" + String(String(number).map { numerals[Int(String($0))!] })
}

/// An empty 2016 batch of the first cooperation project, due 30 September 2016.
func makeIntegrationBatch(_ app: Application, year: Int = 2016, deadline: String = "2016-09-30") async throws -> IntegrationBatchModel {
    let project = try #require(try await ProjectModel.query(on: app.db).filter(\.$level == "cooperation").first())
    let batch = IntegrationBatchModel()
    batch.projectID = project.id!
    batch.year = year
    batch.deadline = deadline
    batch.createdAt = Date()
    try await batch.create(on: app.db)
    return batch
}
