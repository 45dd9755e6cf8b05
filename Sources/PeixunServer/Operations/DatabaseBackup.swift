import Fluent
import Foundation
import SQLKit
import Vapor

/// `peixun backup` and `peixun restore`, for both databases. A backup is taken online, while
/// the server serves: SQLite through `VACUUM INTO` on a connection of its own (a read
/// transaction, so one consistent snapshot, and WAL lets the server keep writing); PostgreSQL
/// through `pg_dump -Fc` (one snapshot too). A restore goes into an empty database only.
enum DatabaseBackup {
    /// Why a backup or restore did not happen, in Chinese; `status` is the exit status.
    struct Refusal: Error, CustomStringConvertible {
        let message: String
        var status: Int32 = 3
        var description: String { message }
    }

    enum FileKind: Equatable {
        case sqlite, postgresDump, other

        /// By the first bytes: "SQLite format 3\0" or pg_dump's custom-format "PGDMP".
        static func of(_ url: URL) -> FileKind {
            guard let handle = try? FileHandle(forReadingFrom: url) else { return .other }
            defer { try? handle.close() }
            let head = (try? handle.read(upToCount: 16)) ?? Data()
            if head.starts(with: Data("SQLite format 3\u{0}".utf8)) { return .sqlite }
            if head.starts(with: Data("PGDMP".utf8)) { return .postgresDump }
            return .other
        }
    }

    struct Outcome: Sendable {
        var tables = 0
        var rows = 0
        var bytes: Int64 = 0
        var seconds = 0.0
    }

    /// Writes the backup beside `file` first and renames it when complete, so that a backup
    /// cut short never leaves a file under the name asked for.
    static func backup(_ app: Application, to file: String) async throws -> Outcome {
        let target = URL(fileURLWithPath: file)
        guard !FileManager.default.fileExists(atPath: target.path) else {
            throw Refusal(message: "文件已存在：\(file)。备份不会覆盖已有文件，请换一个文件名")
        }
        let folder = target.deletingLastPathComponent()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw Refusal(message: "目录不存在：\(folder.path)")
        }
        let partial = folder.appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())")
        try? FileManager.default.removeItem(at: partial)
        let started = ContinuousClock.now
        do {
            try await requirePeixunTables(app)
            switch app.config.storage {
            case .sqlite:
                try await (app.db as! any SQLDatabase).raw("VACUUM INTO \(bind: partial.path)").run()
            case .postgres(let url, let searchPath):
                try await (try PostgresTools(url: url, schema: searchPath)).dump(to: partial.path)
            }
            guard rename(partial.path, target.path) == 0 else {
                throw Refusal(message: "无法把备份改名为 \(file)：\(String(cString: strerror(errno)))", status: 1)
            }
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
        var outcome = Outcome()
        outcome.bytes = (try? FileManager.default.attributesOfItem(atPath: target.path)[.size] as? Int64) ?? 0
        outcome.seconds = (ContinuousClock.now - started).secondsValue
        return outcome
    }

    /// Restores `file` into the configured database, which must hold no table at all.
    static func restore(_ app: Application, from file: String) async throws -> Outcome {
        let source = URL(fileURLWithPath: file)
        guard FileManager.default.isReadableFile(atPath: source.path) else {
            throw Refusal(message: "找不到备份文件或无法读取：\(file)", status: 2)
        }
        let kind = FileKind.of(source)
        let started = ContinuousClock.now
        var outcome: Outcome
        switch (app.config.storage, kind) {
        case (.sqlite, .sqlite):
            try await requireEmpty(app)
            outcome = try await SQLiteRestore(app: app, file: source.path).run()
        case (.postgres(let url, let searchPath), .postgresDump):
            let tools = try PostgresTools(url: url, schema: searchPath)
            try await tools.checkDump(source.path)
            try await requireEmpty(app)
            try await tools.restore(from: source.path, on: app.db as! any SQLDatabase)
            outcome = Outcome()
            outcome.tables = try await userTables(app).count
        case (.sqlite, .postgresDump):
            throw Refusal(message: "这是 PostgreSQL 的备份（pg_dump），当前数据库是 SQLite：请设置 DATABASE_URL 指向一个空的 PostgreSQL 数据库后再恢复")
        case (.postgres, .sqlite):
            throw Refusal(message: "这是 SQLite 的备份，当前数据库是 PostgreSQL（DATABASE_URL）：请去掉 DATABASE_URL，恢复到一个空的 SQLite 数据目录")
        default:
            throw Refusal(message: "\(file) 不是 Peixun 的备份文件（既不是 SQLite 数据库，也不是 pg_dump -Fc 的备份）")
        }
        outcome.seconds = (ContinuousClock.now - started).secondsValue
        return outcome
    }

    /// The application's tables (and views), whatever the database.
    static func userTables(_ app: Application) async throws -> [String] {
        struct Row: Decodable { let name: String }
        let sql = app.db as! any SQLDatabase
        switch app.config.storage {
        case .sqlite:
            return try await sql.raw("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
                .all(decoding: Row.self).map(\.name)
        case .postgres(_, let searchPath):
            return try await sql.raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = \(bind: searchPath ?? "public") ORDER BY table_name")
                .all(decoding: Row.self).map(\.name)
        }
    }

    private static func requireEmpty(_ app: Application) async throws {
        let tables = try await userTables(app)
        guard tables.isEmpty else {
            throw Refusal(message: "当前数据库（\(app.config.storage.description)）不是空的：已有 \(tables.count) 张表（\(tables.prefix(5).joined(separator: "、"))\(tables.count > 5 ? "等" : "")）。"
                + "恢复只写入空数据库，不会覆盖已有数据：请换一个空的数据目录（PEIXUN_DATA_DIR）或新建一个空数据库（DATABASE_URL）后再恢复")
        }
    }

    private static func requirePeixunTables(_ app: Application) async throws {
        guard try await userTables(app).contains("_fluent_migrations") else {
            throw Refusal(message: "当前数据库（\(app.config.storage.description)）是空的，没有可备份的内容")
        }
    }
}
