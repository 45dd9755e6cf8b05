import Foundation
import Logging
import Vapor

/// The outermost middleware: gives each request its id (echoed in `X-Request-Id`), counts
/// and times it for `/metrics` by route, and writes one log line when it is answered.
///
/// A future-based `Middleware`, not an `AsyncMiddleware`: it runs on every request, and an
/// async middleware costs a task per request. It replaces Vapor's `RouteLoggingMiddleware`
/// (a line when the request arrives, none with the outcome) and Vapor's own swift-metrics
/// reporting (off in `OperationsSetup`), which would only feed the no-op metrics system.
struct RequestObservingMiddleware: Middleware {
    let metrics: OperationsMetrics
    /// Nil: no line per request (tests).
    let logFormat: LogFormat?

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let started = DispatchTime.now().uptimeNanoseconds
        let id = RequestID.of(request)
        if id != request.id { request.logger[metadataKey: "request-id"] = .string(id) }
        return next.respond(to: request).always { result in
            let status: HTTPResponseStatus
            switch result {
            case .success(let response):
                response.headers.replaceOrAdd(name: RequestID.header, value: id)
                status = response.status
            case .failure(let error):
                status = (error as? any AbortError)?.status ?? .internalServerError
            }
            let elapsed = DispatchTime.now().uptimeNanoseconds &- started
            let route = metrics.observe(route: request.route, status: status.code, nanoseconds: elapsed)
            if let logFormat { log(request, route: route, status: status, nanoseconds: elapsed, format: logFormat) }
        }
    }

    private func log(_ request: Request, route: String, status: HTTPResponseStatus, nanoseconds: UInt64, format: LogFormat) {
        let level: Logger.Level = status.code >= 500 ? .error : .info
        guard request.logger.logLevel <= level else { return }
        let milliseconds = Double(nanoseconds) / 1_000_000
        var metadata: Logger.Metadata = [:]
        if let user = request.currentUser { metadata["user-id"] = .stringConvertible(user.id) }
        switch format {
        case .json:
            metadata["method"] = .string(request.method.rawValue)
            metadata["route"] = .string(route)
            metadata["status"] = .stringConvertible(Int(status.code))
            metadata["duration-ms"] = .stringConvertible(milliseconds)
            request.logger.log(level: level, "request", metadata: metadata)
        case .text:
            request.logger.log(level: level, "\(request.method.rawValue) \(route) \(status.code) \(JSONLogHandler.fixed3(milliseconds)) ms",
                               metadata: metadata)
        }
    }
}
