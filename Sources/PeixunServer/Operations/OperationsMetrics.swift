import Fluent
import Foundation
import NIOConcurrencyHelpers
import Prometheus
import SQLKit
import Vapor

/// What `/metrics` shows, in one Prometheus registry per app (not the process-wide
/// swift-metrics system, so that tests can run several apps side by side).
///
/// Requests are labelled by the route's path pattern ("/teachers/:teacherID"), never the raw
/// URL, so that the number of series stays bounded whatever clients ask for; requests no route
/// matched share one label.
final class OperationsMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30),
    ]
    /// Label for requests without a route: static files that were found, and everything else.
    static let staticLabel = "(static)"
    static let unmatchedLabel = "(unmatched)"

    private struct RouteSeries {
        let method: String
        let route: String
        let duration: DurationHistogram
        /// By status class, 1xx … 5xx, each made when first seen (no rows of zeros).
        var counts: [Counter?] = Array(repeating: nil, count: 5)
    }

    /// By route object (routes live as long as the app), made on first use: one lock and one
    /// dictionary look-up per request.
    private let series = NIOLockedValueBox<[ObjectIdentifier: RouteSeries]>([:])
    private let unrouted = NIOLockedValueBox<[String: RouteSeries]>([:])

    /// Counted by `JobQueueDepth`, read when `/metrics` is scraped.
    let jobQueueDepth: Gauge
    let jobsRunning: Gauge
    let importRows: @Sendable (String, String) -> Counter
    let importSeconds: @Sendable (String, String) -> Counter
    let importRate: @Sendable (String, String) -> Gauge

    init() {
        let registry = self.registry
        jobQueueDepth = registry.makeGauge(descriptor: .init(
            namespace: "peixun", metricName: "job_queue_depth", unitName: "", helpText: "后台任务队列中等待执行的任务数"))
        jobsRunning = registry.makeGauge(descriptor: .init(
            namespace: "peixun", metricName: "jobs_running", unitName: "", helpText: "正在执行的后台任务数"))
        importRows = { kind, phase in registry.makeCounter(descriptor: .init(
            namespace: "peixun", metricName: "import_rows", unitName: "total", helpText: "导入读到的数据行"), labels: [("kind", kind), ("phase", phase)]) }
        importSeconds = { kind, phase in registry.makeCounter(descriptor: .init(
            namespace: "peixun", metricName: "import_duration", unitName: "seconds_total", helpText: "导入用时（秒）"), labels: [("kind", kind), ("phase", phase)]) }
        importRate = { kind, phase in registry.makeGauge(descriptor: .init(
            namespace: "peixun", metricName: "import_last", unitName: "rows_per_second", helpText: "最近一次导入的速度（行/秒）"), labels: [("kind", kind), ("phase", phase)]) }
    }

    /// One finished request; returns its route label (made once per route, kept for the log line).
    @discardableResult
    func observe(route: Route?, status: UInt, nanoseconds: UInt64) -> String {
        let statusClass = Int(min(max(status / 100, 1), 5)) - 1
        let (duration, count, label): (DurationHistogram, Counter, String)
        if let route {
            let key = ObjectIdentifier(route)
            (duration, count, label) = series.withLockedValue { table in
                if table[key] == nil { table[key] = makeSeries(method: route.method.rawValue, route: Self.pattern(of: route)) }
                return (table[key]!.duration, counter(&table[key]!, statusClass), table[key]!.route)
            }
        } else {
            label = status < 400 ? Self.staticLabel : Self.unmatchedLabel
            (duration, count) = unrouted.withLockedValue { table in
                if table[label] == nil { table[label] = makeSeries(method: "(any)", route: label) }
                return (table[label]!.duration, counter(&table[label]!, statusClass))
            }
        }
        duration.record(.nanoseconds(Int64(clamping: nanoseconds)))
        count.increment()
        return label
    }

    /// "/teachers/:teacherID", as the route was registered.
    static func pattern(of route: Route) -> String {
        "/" + route.path.map(\.description).joined(separator: "/")
    }

    private func makeSeries(method: String, route: String) -> RouteSeries {
        RouteSeries(
            method: method, route: route,
            duration: registry.makeDurationHistogram(
                descriptor: .init(namespace: "peixun", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                                  helpText: "请求用时（按路由）"),
                labels: [("method", method), ("route", route)], buckets: Self.durationBuckets))
    }

    private func counter(_ series: inout RouteSeries, _ statusClass: Int) -> Counter {
        if let known = series.counts[statusClass] { return known }
        let made = registry.makeCounter(
            descriptor: .init(namespace: "peixun", subsystem: "http", metricName: "requests", unitName: "total",
                              helpText: "请求数（按路由和状态类别）"),
            labels: [("method", series.method), ("route", series.route), ("status", "\(statusClass + 1)xx")])
        series.counts[statusClass] = made
        return made
    }

    /// An import read (`phase` preview) or committed `rows` rows in `seconds`:
    /// rows/s is `rate(peixun_import_rows_total) / rate(peixun_import_duration_seconds_total)`,
    /// and the last import's speed is a gauge of its own.
    func recordImport(kind: String, committed: Bool, rows: Int, seconds: Double) {
        let phase = committed ? "commit" : "preview"
        importRows(kind, phase).increment(by: Int64(rows))
        importSeconds(kind, phase).increment(by: seconds)
        if seconds > 0 { importRate(kind, phase).set(Double(rows) / seconds) }
    }

    /// The exposition, gauges read from the database first.
    func exposition(on database: any Database) async -> [UInt8] {
        if let counts = try? await JobQueueDepth.count(on: database) {
            jobQueueDepth.set(Double(counts.queued))
            jobsRunning.set(Double(counts.running))
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16_384)
        registry.emit(into: &buffer)
        return buffer
    }
}

extension Application {
    private struct OperationsMetricsKey: StorageKey { typealias Value = OperationsMetrics }

    /// Made in `configure` (`OperationsSetup.install`) before any request can reach it.
    var operationsMetrics: OperationsMetrics {
        get {
            if let metrics = storage[OperationsMetricsKey.self] { return metrics }
            let metrics = OperationsMetrics()
            storage[OperationsMetricsKey.self] = metrics
            return metrics
        }
        set { storage[OperationsMetricsKey.self] = newValue }
    }
}
