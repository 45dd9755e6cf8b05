import Foundation
import NIOCore
import FluentPostgresDriver

/// The PostgreSQL side of `PlainBulkInsert`: rows written in `COPY`'s text format and sent
/// about a megabyte at a time with `COPY … FROM STDIN`, which PostgreSQL parses several times
/// faster than the same rows as bound parameters of multi-row `INSERT`s (bench/README.md).
/// Inside a transaction the copy runs on the transaction's connection, so it commits or rolls
/// back with everything else.
struct PostgresCopy {
    /// Rows are sent when this many bytes are pending: memory stays bounded whatever the load.
    static let flushBytes = 1 << 20

    private let database: any PostgresDatabase
    private let table: String
    private let columns: [String]
    private var buffer: ByteBuffer
    private var pendingRows = 0
    private(set) var inserted = 0
    /// With `pipelined`, the COPY PostgreSQL is running while the next rows are written out.
    private let pipelined: Bool
    private var inFlight: Task<Void, any Error>?
    /// Loads stamp every row with the same time: formatted once.
    private var lastDate: (Date, String)?

    /// `pipelined`: each megabyte is sent without waiting for the one before it to be written,
    /// so that formatting rows and PostgreSQL's parsing overlap (a province's roster). Only for
    /// a load that is alone on its connection until `flush()`: two pipelined copies on one
    /// transaction could reach it in either order.
    init(into table: String, columns: [String], on database: any PostgresDatabase, pipelined: Bool = false) {
        self.database = database
        self.table = table
        self.columns = columns
        self.pipelined = pipelined
        buffer = ByteBufferAllocator().buffer(capacity: Self.flushBytes + 4_096)
    }

    mutating func append(_ values: [PlainBulkInsert.Value]) async throws {
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            switch value {
            case .text(let text): Self.writeEscaped(text, to: &buffer)
            case .integer(let number): buffer.writeString(String(number))
            case .date(let date): buffer.writeString(timestamp(date))
            case .bool(let flag): buffer.writeInteger(flag ? UInt8(ascii: "t") : UInt8(ascii: "f"))
            case .null: buffer.writeStaticString("\\N")
            }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
        pendingRows += 1
        if buffer.readableBytes >= Self.flushBytes { try await send() }
    }

    /// Waits for the copy already on its way, sending nothing more: for a load given up, whose
    /// connection must be idle before its transaction ends.
    mutating func settle() async {
        _ = try? await inFlight?.value
        inFlight = nil
    }

    /// Sends what is pending and waits until PostgreSQL has written every row.
    mutating func flush() async throws {
        try await send()
        try await inFlight?.value
        inFlight = nil
    }

    private mutating func send() async throws {
        guard pendingRows > 0 else { return }
        // One COPY at a time on the connection.
        try await inFlight?.value
        let data = buffer
        let database = database, table = table, columns = columns, logger = database.logger
        let copy = Task {
            try await database.withConnection { connection in
                connection.eventLoop.makeFutureWithTask {
                    try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                        try await writer.write(data)
                    }
                }
            }.get()
        }
        if pipelined { inFlight = copy } else { try await copy.value }
        inserted += pendingRows
        pendingRows = 0
        // The copy in flight still holds the old storage: this allocates a fresh one.
        buffer.clear()
    }

    /// Text format: a backslash, tab, newline or carriage return inside a value would end it,
    /// so each is written as its backslash escape; everything else goes as UTF-8.
    static func writeEscaped(_ text: String, to buffer: inout ByteBuffer) {
        var text = text
        text.withUTF8 { bytes in
            guard bytes.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
                buffer.writeBytes(bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case 0x5C: buffer.writeStaticString("\\\\")
                case 0x09: buffer.writeStaticString("\\t")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0D: buffer.writeStaticString("\\r")
                default: buffer.writeInteger(byte)
                }
            }
        }
    }

    /// `timestamptz` input in UTC with microseconds, the precision PostgreSQL keeps.
    private mutating func timestamp(_ date: Date) -> String {
        if let (last, text) = lastDate, last == date { return text }
        let text = Self.timestampText(date)
        lastDate = (date, text)
        return text
    }

    static func timestampText(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        var seconds = time_t(micros.floorDiv(1_000_000))
        let fraction = Int(micros - Int64(seconds) * 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let micro = String(fraction)
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))."
            + String(repeating: "0", count: 6 - micro.count) + micro + "+00"
    }
}

private extension Int64 {
    func floorDiv(_ divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
