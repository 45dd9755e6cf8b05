import Foundation

/// Everything the app reads from the environment, read once at start. Invalid values stop the
/// app with a list of what is wrong rather than running half-configured.
public struct AppConfig: Sendable {
    public enum Storage: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String, searchPath: String?)

        public var isSQLite: Bool { if case .sqlite = self { true } else { false } }
    }

    public var storage: Storage
    public var dataDirectory: String
    public var hostname: String
    public var port: Int
    /// Behind a TLS-terminating proxy: cookies get `Secure` and `X-Forwarded-For` is believed.
    public var secureCookies = false
    public var trustProxy = false
    /// Sessions end after this much inactivity, and at the latest after `sessionLifetime`.
    public var sessionIdleTimeout: TimeInterval = 30 * 60
    public var sessionLifetime: TimeInterval = 12 * 60 * 60
    public var tokenLifetime: TimeInterval = 24 * 60 * 60
    public var certificates = CertificateSettings()
    /// Where uploads pass through and job files are kept (`PEIXUN_UPLOAD_DIR`): a folder all
    /// instances share; by default `uploads/` in the data directory.
    public var uploadDirectory: String?
    /// How many instances serve behind the proxy (`PEIXUN_INSTANCES`): limits kept per
    /// instance are divided by it.
    public var instances = 1
    /// How long public verification keeps an answer by token (`PEIXUN_VERIFY_CACHE_SECONDS`, 0–60; 0 keeps none).
    public var verificationCacheSeconds = 5
    /// How many megabytes of kept verification pages an instance holds at most (`PEIXUN_VERIFY_CACHE_MB`, 1–1024).
    public var verificationCacheMegabytes = 64

    /// Threads of the app's own blocking pool. SQLite runs every statement on one, and a
    /// statement waiting for the write lock (`busy_timeout`, 10 s) holds its thread while it
    /// waits: in NIO's shared pool (one thread per core, shared by every application in the
    /// process) two such waits left the transaction they waited for no thread to finish on,
    /// and the wait began again — a test run stalled that way for an hour. The pool also
    /// renders certificates and writes export files.
    static var blockingThreads: Int { max(8, 4 * ProcessInfo.processInfo.activeProcessorCount) }

    public init(storage: Storage, dataDirectory: String, hostname: String = "127.0.0.1", port: Int = 8080) {
        self.storage = storage
        self.dataDirectory = dataDirectory
        self.hostname = hostname
        self.port = port
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let problems: [String]
        public var description: String { "配置有误：\n" + problems.map { "- " + $0 }.joined(separator: "\n") }
    }

    /// `DATABASE_URL` selects PostgreSQL; otherwise SQLite at `$PEIXUN_DATA_DIR/peixun.sqlite`
    /// (default `./data`). `PEIXUN_HOST` and `PEIXUN_PORT` set where the server listens.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfig {
        var problems: [String] = []
        let dataDirectory = environment["PEIXUN_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "./data"
        let storage: Storage
        if let url = environment["DATABASE_URL"], !url.isEmpty {
            if !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
                problems.append("DATABASE_URL 应以 postgres:// 开头，实际为 \(url.prefix(20))…")
            }
            storage = .postgres(url: url, searchPath: environment["PEIXUN_PG_SCHEMA"])
        } else {
            storage = .sqlite(path: (dataDirectory as NSString).appendingPathComponent("peixun.sqlite"))
        }
        var port = 8080
        if let text = environment["PEIXUN_PORT"] ?? environment["PORT"] {
            if let value = Int(text), (1...65535).contains(value) { port = value } else {
                problems.append("PEIXUN_PORT 应为 1–65535 之间的整数，实际为 \(text)")
            }
        }
        let hostname = environment["PEIXUN_HOST"] ?? "127.0.0.1"
        var config = AppConfig(storage: storage, dataDirectory: dataDirectory, hostname: hostname, port: port)
        func flag(_ name: String) -> Bool? {
            guard let text = environment[name] else { return nil }
            switch text.lowercased() {
            case "1", "true", "yes": return true
            case "0", "false", "no", "": return false
            default: problems.append("\(name) 应为 1 或 0，实际为 \(text)"); return nil
            }
        }
        config.secureCookies = flag("PEIXUN_SECURE_COOKIES") ?? false
        config.trustProxy = flag("PEIXUN_TRUST_PROXY") ?? false
        if let text = environment["PEIXUN_SESSION_IDLE_MINUTES"] {
            if let minutes = Int(text), minutes > 0 { config.sessionIdleTimeout = TimeInterval(minutes * 60) } else {
                problems.append("PEIXUN_SESSION_IDLE_MINUTES 应为正整数，实际为 \(text)")
            }
        }
        config.certificates.read(environment, problems: &problems)
        if let directory = environment["PEIXUN_UPLOAD_DIR"], !directory.isEmpty { config.uploadDirectory = directory }
        if let text = environment["PEIXUN_INSTANCES"] {
            if let count = Int(text), (1...1_000).contains(count) { config.instances = count } else {
                problems.append("PEIXUN_INSTANCES 应为 1–1000 之间的整数，实际为 \(text)")
            }
        }
        if let text = environment["PEIXUN_VERIFY_CACHE_SECONDS"] {
            if let seconds = Int(text), (0...60).contains(seconds) { config.verificationCacheSeconds = seconds } else {
                problems.append("PEIXUN_VERIFY_CACHE_SECONDS 应为 0–60 之间的整数（秒），实际为 \(text)")
            }
        }
        if let text = environment["PEIXUN_VERIFY_CACHE_MB"] {
            if let megabytes = Int(text), (1...1024).contains(megabytes) { config.verificationCacheMegabytes = megabytes } else {
                problems.append("PEIXUN_VERIFY_CACHE_MB 应为 1–1024 之间的整数（MB），实际为 \(text)")
            }
        }
        if !problems.isEmpty { throw Invalid(problems: problems) }
        return config
    }
}
