import FluentSQLiteDriver
import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// SQLite runs each statement on a thread of the app's blocking pool, and a writer waiting for
/// the write lock holds its thread for up to `busy_timeout` (10 s). A job's heartbeat and its
/// progress writes wait that way while the job's own transaction holds the lock; in NIO's
/// shared pool (one thread per core) two such waits left the transaction no thread to run on
/// until they gave up, again and again — a CI run stalled for an hour.
@Suite(.enabled(if: (ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "").isEmpty, "SQLite only"))
struct SQLiteContentionTests {
    @Test func aTransactionFinishesWhileWritersWaitForItsLock() async throws {
        try await withTestApp(users: false) { app in
            guard case .sqlite(let path) = app.config.storage else { return }
            #expect(app.databases.threadPool === app.threadPool, "SQLite runs on the app's own pool")
            try await app.sql.raw("CREATE TABLE contention (n INTEGER NOT NULL)").run()
            let started = ContinuousClock.now
            let writers = try await app.db.transaction { transaction in
                let sql = transaction as! any SQLDatabase
                var writers: [Task<Void, any Error>] = []
                try await sql.raw("INSERT INTO contention VALUES (1)").run()  // takes the write lock
                for _ in 0..<2 {
                    writers.append(Task {
                        let connection = try await SQLiteConnection.open(storage: .file(path: path), threadPool: app.threadPool,
                                                                         on: app.eventLoopGroup.any())
                        do {
                            try await connection.query("PRAGMA busy_timeout = 10000", []) { _ in }
                            try await connection.query("INSERT INTO contention VALUES (2)", []) { _ in }
                        } catch {
                            try? await connection.close()
                            throw error
                        }
                        try await connection.close()
                    })
                }
                try await Task.sleep(for: .milliseconds(300))  // both are waiting for the lock now
                for _ in 0..<5 { try await sql.raw("INSERT INTO contention VALUES (1)").run() }
                return writers
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .seconds(5), "the transaction took \(elapsed) while two writers waited for it")
            for writer in writers { try await writer.value }  // and they land once it has committed
            struct Counted: Decodable { let ones: Int; let twos: Int }
            let counted = try #require(try await app.sql.raw("""
                SELECT SUM(CASE WHEN n = 1 THEN 1 ELSE 0 END) AS ones, SUM(CASE WHEN n = 2 THEN 1 ELSE 0 END) AS twos FROM contention
                """).first(decoding: Counted.self))
            #expect(counted.ones == 6 && counted.twos == 2)
        }
    }
}
