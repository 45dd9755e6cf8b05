import Foundation
import Vapor

/// What the operations feature reads from the environment (`PEIXUN_METRICS_TOKEN`,
/// `PEIXUN_LOG_FORMAT`), read once when the app is configured.
struct OperationsSettings: Sendable {
    /// A bearer token that opens `/metrics` to a scraper that is not on this machine.
    var metricsToken: String?
    var logFormat: LogFormat = .text

    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> OperationsSettings {
        var settings = OperationsSettings()
        settings.logFormat = try LogFormat.fromEnvironment(environment)
        if let token = environment["PEIXUN_METRICS_TOKEN"], !token.isEmpty {
            guard token.count >= 16, token.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw AppConfig.Invalid(problems: ["PEIXUN_METRICS_TOKEN 应为至少 16 个字符、不含空格的 ASCII 字符串"])
            }
            settings.metricsToken = token
        }
        return settings
    }
}

enum OperationsSetup {
    /// The request observer goes first, outside every other middleware, so that it sees the
    /// status the client gets and times the whole request.
    static func install(on app: Application) throws {
        let settings = try OperationsSettings.fromEnvironment()
        app.operationsSettings = settings
        app.http.server.configuration.reportMetrics = false
        app.middleware.use(RequestObservingMiddleware(
            metrics: app.operationsMetrics, logFormat: app.environment == .testing ? nil : settings.logFormat))
    }
}

extension Application {
    private struct OperationsSettingsKey: StorageKey { typealias Value = OperationsSettings }

    var operationsSettings: OperationsSettings {
        get { storage[OperationsSettingsKey.self] ?? OperationsSettings() }
        set { storage[OperationsSettingsKey.self] = newValue }
    }
}
