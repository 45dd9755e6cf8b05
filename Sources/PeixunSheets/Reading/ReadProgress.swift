import Foundation

/// How far a long read has got, for a progress bar: rows handed over so far and the share of
/// the file behind them. Written by the reading threads, read by whoever polls.
public final class ReadProgress: @unchecked Sendable {
    public enum Phase: String, Sendable, Codable {
        case reading, checking, writing, done, failed
    }

    public struct Snapshot: Sendable {
        public let phase: Phase
        public let rows: Int
        /// 0–1 when the reader knows the size of what it reads.
        public let fraction: Double?
        public let elapsed: Double
    }

    private let lock = NSLock()
    private var rows = 0
    private var fraction: Double?
    private var phase = Phase.reading
    private let started = Date()

    public init() {}

    func add(rows count: Int) {
        lock.withLock { rows += count }
    }

    func reached(fraction value: Double) {
        lock.withLock { fraction = min(1, max(0, value)) }
    }

    public func enter(_ next: Phase) {
        lock.withLock { phase = next }
    }

    public func snapshot() -> Snapshot {
        lock.withLock { Snapshot(phase: phase, rows: rows, fraction: fraction, elapsed: Date().timeIntervalSince(started)) }
    }
}
