import Foundation
import SQLKit

/// `pg_dump` and `pg_restore` with the connection `DATABASE_URL` names: host, port, user and
/// database as arguments, the password through `PGPASSWORD` (never on a command line, where
/// `ps` would show it), `sslmode` through `PGSSLMODE`.
struct PostgresTools {
    let host: String
    let port: String
    let user: String?
    let password: String?
    let database: String
    let sslMode: String?
    /// `PEIXUN_PG_SCHEMA`: the one schema the app uses; nil means the whole database.
    let schema: String?

    init(url: String, schema: String?) throws {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw DatabaseBackup.Refusal(message: "DATABASE_URL 无法解析（应为 postgres://用户:密码@主机:端口/数据库）", status: 2)
        }
        self.host = host
        port = components.port.map(String.init) ?? "5432"
        user = components.user?.removingPercentEncoding
        password = components.password?.removingPercentEncoding
        let name = String(components.path.drop(while: { $0 == "/" })).removingPercentEncoding ?? ""
        database = name.isEmpty ? (user ?? "postgres") : name
        sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value
        self.schema = schema
    }

    var targetSchema: String { schema ?? "public" }

    private var connectionArguments: [String] {
        ["--no-password", "--host", host, "--port", port] + (user.map { ["--username", $0] } ?? [])
    }

    func dump(to path: String) async throws {
        var arguments = ["--format=custom", "--file", path] + connectionArguments
        if let schema { arguments += ["--schema", schema] }
        try await run("pg_dump", arguments + ["--dbname", database])
    }

    /// The dump must hold Peixun's tables in the schema this app uses: pg_restore puts them
    /// back where they came from, where another schema's app would never see them.
    func checkDump(_ path: String) async throws {
        let listing = try await run("pg_restore", ["--list", path])
        let schemas = Set(listing.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(separator: " ")
            guard let table = words.firstIndex(of: "TABLE"), words.count > table + 2, words[table + 2] == "_fluent_migrations" else { return nil }
            return String(words[table + 1])
        })
        guard let source = schemas.first else {
            throw DatabaseBackup.Refusal(message: "\(path) 不是 Peixun 的备份：其中没有 _fluent_migrations 表")
        }
        guard schemas == [targetSchema] else {
            throw DatabaseBackup.Refusal(message: "备份中的数据在 schema “\(source)”，当前配置的是 “\(targetSchema)”：请设置 PEIXUN_PG_SCHEMA=\(source) 后再恢复")
        }
    }

    /// Into an empty database or schema (checked by the caller), in one transaction.
    func restore(from path: String, on sql: any SQLDatabase) async throws {
        // A dump of one schema creates it; an empty one of that name would make that fail.
        struct Row: Decodable { let n: Int }
        var dropped = false
        if schema != nil {
            let existing = try await sql.raw("SELECT COUNT(*) AS n FROM pg_namespace WHERE nspname = \(bind: targetSchema)").first(decoding: Row.self)
            dropped = (existing?.n ?? 0) > 0
        }
        if dropped { try await sql.raw("DROP SCHEMA \(ident: targetSchema) RESTRICT").run() }
        do {
            try await run("pg_restore", ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
                + connectionArguments + ["--dbname", database, path])
        } catch {
            if dropped { try? await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: targetSchema)").run() }
            throw error
        }
    }

    /// Runs a PostgreSQL client program; its standard output is returned, its errors become
    /// the refusal's message.
    @discardableResult
    private func run(_ program: String, _ arguments: [String]) async throws -> String {
        guard let executable = Self.find(program) else {
            throw DatabaseBackup.Refusal(message: "找不到 \(program)：请安装 postgresql-client（scripts/install-deps.sh 会安装）", status: 1)
        }
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = password
        environment["PGSSLMODE"] = sslMode ?? environment["PGSSLMODE"]
        environment["PGAPPNAME"] = "peixun-\(program)"
        let result = try await ChildProcess.run(executable, arguments, environment: environment)
        guard result.status == 0 else {
            let message = result.errors.trimmingCharacters(in: .whitespacesAndNewlines).prefix(2000)
            throw DatabaseBackup.Refusal(message: "\(program) 失败（退出码 \(result.status)）：\(message)", status: 1)
        }
        return result.output
    }

    /// The newest installed version's program (it must be at least the server's version), else PATH.
    static func find(_ program: String) -> String? {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let path = "/usr/lib/postgresql/\(version)/bin/\(program)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(folder)/\(program)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}
