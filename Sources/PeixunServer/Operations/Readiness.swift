import Fluent
import Foundation
import SQLKit
import Vapor

/// What `/readyz` answers: ready when the database answers `SELECT 1` and no registered
/// migration is missing from `_fluent_migrations` (an instance started on a database that
/// `peixun migrate` has not brought up to date must not take traffic).
struct Readiness: Content, Sendable {
    var status: String
    /// Why not, in Chinese; absent when ready.
    var reason: String?
    var database: String
    var appliedMigrations: Int?
    var pendingMigrations: [String]?

    var isReady: Bool { status == "ready" }

    static func check(_ app: Application, timeout: Duration) async -> Readiness {
        let database = app.config.storage.isSQLite ? "sqlite" : "postgresql"
        return await withTaskGroup(of: Readiness.self) { group in
            group.addTask { await check(app, database: database) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return Readiness(status: "not_ready", reason: "数据库在 \(timeout.components.seconds) 秒内没有应答", database: database)
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
    }

    private static func check(_ app: Application, database: String) async -> Readiness {
        guard let sql = app.db as? any SQLDatabase else {
            return Readiness(status: "not_ready", reason: "数据库不支持 SQL 查询", database: database)
        }
        do {
            try await sql.raw("SELECT 1").run()
        } catch {
            return Readiness(status: "not_ready", reason: "无法连接数据库：\(String(describing: error).prefix(200))", database: database)
        }
        struct Count: Decodable { let n: Int }
        let applied: Int
        let pending: [String]
        do {
            applied = try await sql.raw("SELECT COUNT(*) AS n FROM _fluent_migrations").first(decoding: Count.self)?.n ?? 0
            pending = try await app.migrator.previewPrepareBatch().get().map { $0.0.name }
        } catch {
            return Readiness(status: "not_ready", reason: "数据库尚未建表：请先运行 peixun migrate", database: database)
        }
        guard pending.isEmpty else {
            return Readiness(status: "not_ready", reason: "有 \(pending.count) 个数据库迁移尚未执行：请先运行 peixun migrate",
                             database: database, appliedMigrations: applied, pendingMigrations: pending)
        }
        do {
            guard try await app.nationalRegionsAreCurrent() else {
                return Readiness(status: "not_ready", reason: "数据库中的行政区划树已变化（多省演示数据），本实例已重新读取，请稍后再试",
                                 database: database, appliedMigrations: applied, pendingMigrations: [])
            }
        } catch {
            return Readiness(status: "not_ready", reason: "无法读取行政区划：\(String(describing: error).prefix(200))", database: database)
        }
        return Readiness(status: "ready", database: database, appliedMigrations: applied, pendingMigrations: [])
    }
}

private struct ReadinessTimeoutKey: StorageKey { typealias Value = Duration }

extension Application {
    /// How long `/readyz` waits for the database: 2 s, so that a load balancer moves on from a
    /// stuck instance. Tests running many apps at once in one process share SQLite's thread
    /// pool, where a `SELECT 1` can queue behind other tests' work for longer.
    var readinessTimeout: Duration {
        get { storage[ReadinessTimeoutKey.self] ?? .seconds(2) }
        set { storage[ReadinessTimeoutKey.self] = newValue }
    }
}
