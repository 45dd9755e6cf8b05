import Fluent
import Logging
import Vapor

/// What `peixun` runs: build the app from the environment, run the command, shut down.
public enum Entrypoint {
    public static func main() async throws {
        var environment = try Environment.detect()
        try LoggingSystem.bootstrap(from: &environment)
        let app = try await Application.make(environment)
        do {
            let config = try AppConfig.fromEnvironment()
            try await configure(app, config: config)
            // The embedded default needs no separate migrate step.
            let command = environment.arguments.dropFirst().first
            if config.storage.isSQLite, command == nil || command == "serve" {
                try await app.autoMigrate()
                printWelcome(config)
            }
            try await app.execute()
        } catch {
            app.logger.report(error: error)
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    private static func printWelcome(_ config: AppConfig) {
        let host = config.hostname == "0.0.0.0" ? "127.0.0.1" : config.hostname
        print("Peixun 培训管理系统：http://\(host):\(config.port)/reports/progress?year=2016")
    }
}
