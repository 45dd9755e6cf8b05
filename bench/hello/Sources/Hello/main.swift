import Vapor

// Vapor's template app: default middleware, one route. PORT sets where it listens.
let app = try await Application.make(.production)
app.http.server.configuration.hostname = "127.0.0.1"
app.http.server.configuration.port = Int(ProcessInfo.processInfo.environment["PORT"] ?? "") ?? 8090
app.get("hello") { _ in "Hello, world!" }
try await app.execute()
try await app.asyncShutdown()
