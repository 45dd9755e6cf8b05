import Fluent
import Foundation
import Logging
import Vapor

/// What `peixun` runs: build the app from the environment, run the command, shut down.
/// Returns the process exit status: 0 done, 2 bad usage, 3 refused (see each command).
public enum Entrypoint {
    public static func main() async -> Int32 {
        var status: Int32 = 0
        do {
            var environment = try Environment.detect()
            let jsonOutput = environment.arguments.contains("--json")
            if try LogFormat.bootstrapJSONIfAsked(&environment, standardError: jsonOutput) {
                // PEIXUN_LOG_FORMAT=json: one JSON object per line (Operations/JSONLogHandler).
            } else if environment.arguments.contains("--json") {
                // Standard output carries the one JSON object; logs (migrations…) go to standard error.
                try LoggingSystem.bootstrap(from: &environment) { level in
                    { label in
                        var handler = StreamLogHandler.standardError(label: label)
                        handler.logLevel = level
                        return handler
                    }
                }
            } else {
                try LoggingSystem.bootstrap(from: &environment)
            }
            let app = try await Application.make(environment)
            do {
                let config = try AppConfig.fromEnvironment()
                try await configure(app, config: config)
                let command = environment.arguments.dropFirst().first
                if command == nil || command == "serve" {
                    // The embedded default needs no separate migrate step.
                    if config.storage.isSQLite { try await app.autoMigrate() }
                    // Only a serving instance runs background jobs; commands leave them to it.
                    app.lifecycle.use(JobRunnerLifecycle())
                    // A missing certificate face slows every PDF but breaks nothing: said, not refused.
                    printWelcome(config, notes: [CertificateFontCheck.warnIfMissing(logger: app.logger)].compactMap { $0 })
                }
                // Not `app.execute()`: it logs every error, and `--json` must print one JSON object only.
                try await app.startup()
                try await app.running?.onStop.get()
            } catch let exit as ExitCode {
                status = exit.code
            } catch {
                app.logger.report(error: error)
                FileHandle.standardError.write(Data("错误：\(error)\n".utf8))
                status = 1
            }
            try await app.asyncShutdown()
        } catch {
            FileHandle.standardError.write(Data("无法启动：\(error)\n".utf8))
            return 1
        }
        return status
    }

    private static func printWelcome(_ config: AppConfig, notes: [String] = []) {
        let host = config.hostname == "0.0.0.0" ? "127.0.0.1" : config.hostname
        print("""

        Peixun 培训管理系统已启动
          全省培训实施情况（附件1）：http://\(host):\(config.port)/reports/progress?year=2016
          JSON：http://\(host):\(config.port)/api/v1/reports/progress?year=2016
          数据库：\(config.storage.description)
        \(notes.map { "\n" + $0 }.joined())
        """)
    }
}

/// Ends the command with this exit status after it has told the user why.
struct ExitCode: Error, CustomStringConvertible {
    let code: Int32
    init(_ code: Int32) { self.code = code }
    var description: String { "exit \(code)" }
}

extension AppConfig.Storage: CustomStringConvertible {
    public var description: String {
        switch self {
        case .sqlite(let path): "SQLite \(path)"
        case .postgres: "PostgreSQL（DATABASE_URL）"
        }
    }
}
