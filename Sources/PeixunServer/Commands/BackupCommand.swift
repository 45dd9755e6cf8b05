import Foundation
import Vapor

/// `peixun backup FILE`: a consistent copy of the database while the server keeps serving
/// (SQLite: a database file; PostgreSQL: `pg_dump -Fc`). Exit status 0 done, 2 bad usage,
/// 3 refused (the file exists, nothing to back up), 1 failed.
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "备份写入的文件（不能已存在）")
        var file: String
        init() {}
    }

    var help: String { "在线备份数据库（服务运行中也可以）：SQLite 用 VACUUM INTO，PostgreSQL 用 pg_dump -Fc" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let outcome = try await DatabaseBackup.Refusal.exiting { try await DatabaseBackup.backup(context.application, to: signature.file) }
        context.console.print(String(format: "已备份到 %@（%.1f MB，用时 %.1f 秒）", signature.file,
                                     Double(outcome.bytes) / 1_048_576, outcome.seconds))
    }
}

/// `peixun restore FILE --yes`: a backup into an empty database (a new data directory, or a
/// new PostgreSQL database); a database with any table is refused, so nothing is overwritten.
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "peixun backup 写出的备份文件")
        var file: String
        init() {}
    }

    var help: String { "把备份恢复到空数据库（须加 --yes 确认）" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let storage = context.application.config.storage
        // `--yes` (`-y`) is ConsoleKit's own flag: it answers every confirmation, and this is one.
        guard context.console.confirmOverride == true else {
            FileHandle.standardError.write(Data("""
                未恢复：恢复会把备份 \(signature.file) 写入当前数据库（\(storage.description)）。
                只能恢复到空数据库（新的 PEIXUN_DATA_DIR，或新建的 PostgreSQL 数据库），已有数据的数据库会被拒绝。
                确认无误后运行：peixun restore \(signature.file) --yes

                """.utf8))
            throw ExitCode(2)
        }
        let outcome = try await DatabaseBackup.Refusal.exiting { try await DatabaseBackup.restore(context.application, from: signature.file) }
        let rows = storage.isSQLite ? "，\(outcome.rows) 行" : ""
        context.console.print(String(format: "已恢复到 %@：%d 张表%@；用时 %.1f 秒", storage.description, outcome.tables, rows, outcome.seconds))
    }
}

extension DatabaseBackup.Refusal {
    /// A refusal ends the command: its message on standard error, its exit status.
    static func exiting<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let refusal as DatabaseBackup.Refusal {
            FileHandle.standardError.write(Data((refusal.message + "\n").utf8))
            throw ExitCode(refusal.status)
        }
    }
}
