import Fluent
import Foundation
import NIOCore
import SQLKit
import Vapor

/// `GET /readyz` (may this instance take traffic?) and `GET /metrics` (Prometheus text).
struct OperationsController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.operations(.readyz), use: ready)
        routes.get(.operations(.metrics), use: metrics)
    }

    /// 200 when the database answers a trivial query and every registered migration has run;
    /// otherwise 503 with the reason, so that a load balancer sends no traffic here yet.
    @Sendable func ready(request: Request) async throws -> Response {
        let readiness = await Readiness.check(request.application, timeout: request.application.readinessTimeout)
        let response = Response(status: readiness.isReady ? .ok : .serviceUnavailable)
        try response.content.encode(readiness, as: .json)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    /// Prometheus text, to loopback peers (nginx, a scraper on the machine) or to a bearer of
    /// `PEIXUN_METRICS_TOKEN`. Behind nginx every peer is loopback, so a forwarded request from
    /// elsewhere (`X-Forwarded-For`, `X-Real-IP`) needs the token too.
    @Sendable func metrics(request: Request) async throws -> Response {
        guard MetricsAccess.allows(request, token: request.application.operationsSettings.metricsToken) else {
            throw AppError(.forbidden, code: "metrics.forbidden", "监控指标仅供本机访问，或持 PEIXUN_METRICS_TOKEN 令牌访问")
        }
        let bytes = await request.application.operationsMetrics.exposition(on: request.db)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(buffer: ByteBuffer(bytes: bytes)))
    }
}

enum MetricsAccess {
    private static let metricsPath = SiteURL.operations(.metrics).path

    /// The bearer token on this route is the metrics token, not an API token.
    static func isMetricsRoute(_ request: Request) -> Bool {
        request.url.path == metricsPath
    }

    static func allows(_ request: Request, token: String?) -> Bool {
        if let token, let presented = request.headers.bearerAuthorization?.token, constantTimeEqual(presented, token) {
            return true
        }
        guard let peer = request.remoteAddress?.ipAddress, isLoopback(peer) else { return false }
        let forwarded = request.headers[.xForwardedFor].flatMap { $0.split(separator: ",") }
            + request.headers["X-Real-IP"].map { Substring($0) }
        return forwarded.allSatisfy { isLoopback($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// 127.0.0.0/8, ::1 and 127.x mapped into IPv6.
    static func isLoopback(_ address: String) -> Bool {
        let lowered = address.lowercased()
        if lowered == "::1" || lowered == "0:0:0:0:0:0:0:1" { return true }
        let v4 = lowered.hasPrefix("::ffff:") ? String(lowered.dropFirst(7)) : lowered
        let octets = v4.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    private static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
