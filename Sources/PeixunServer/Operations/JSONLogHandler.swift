import Foundation
import Logging
import NIOConcurrencyHelpers

/// One JSON object per line (`PEIXUN_LOG_FORMAT=json`), for a log shipper: `time` (UTC, ms),
/// `level`, `message`, `label`, then the metadata as top-level fields with `_` for `-`
/// (Vapor's `request-id` becomes `request_id`). Integers and decimals stay numbers.
struct JSONLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level
    let label: String
    private let stream: Output

    init(label: String, level: Logger.Level, standardError: Bool, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.stream = standardError ? .standardError : .standardOutput
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let explicit = event.metadata { fields.merge(explicit) { _, new in new } }
        if let error = event.error { fields["error"] = .string(String(describing: error)) }
        stream.write(Self.line(time: LiveClock().now(), level: event.level, message: event.message.description, label: label, fields: fields))
    }

    /// The line as written, newline included; the fields sorted so that lines compare.
    static func line(time: Date, level: Logger.Level, message: String, label: String, fields: Logger.Metadata) -> String {
        var out = "{\"time\":\"" + timestamp(time) + "\",\"level\":\"" + level.rawValue + "\",\"message\":"
        appendString(message, to: &out)
        out += ",\"label\":"
        appendString(label, to: &out)
        for key in fields.keys.sorted() where !["time", "level", "message", "label"].contains(key) {
            out += ","
            appendString(key.replacingOccurrences(of: "-", with: "_"), to: &out)
            out += ":"
            appendValue(fields[key]!, to: &out)
        }
        return out + "}\n"
    }

    private static func appendValue(_ value: Logger.Metadata.Value, to out: inout String) {
        switch value {
        case .string(let text): appendString(text, to: &out)
        case .stringConvertible(let number as Int): out += String(number)
        case .stringConvertible(let number as Double) where number.isFinite && abs(number) < 1e15: out += fixed3(number)
        case .stringConvertible(let other): appendString(other.description, to: &out)
        case .array(let values):
            out += "["
            for (index, element) in values.enumerated() {
                if index > 0 { out += "," }
                appendValue(element, to: &out)
            }
            out += "]"
        case .dictionary(let values):
            out += "{"
            for (index, key) in values.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                appendString(key, to: &out)
                out += ":"
                appendValue(values[key]!, to: &out)
            }
            out += "}"
        }
    }

    static func appendString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// 2026-12-03T12:28:42.123Z, without a formatter object (this runs once per request).
    static func timestamp(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let millis = Int((interval - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return padded(Int(parts.tm_year) + 1900, 4) + "-" + padded(Int(parts.tm_mon) + 1, 2) + "-" + padded(Int(parts.tm_mday), 2)
            + "T" + padded(Int(parts.tm_hour), 2) + ":" + padded(Int(parts.tm_min), 2) + ":" + padded(Int(parts.tm_sec), 2)
            + "." + padded(millis, 3) + "Z"
    }

    /// 12.5 → "12.500": three decimals without `String(format:)`.
    static func fixed3(_ number: Double) -> String {
        let thousandths = Int((abs(number) * 1000).rounded())
        return (number < 0 && thousandths > 0 ? "-" : "") + String(thousandths / 1000) + "." + padded(thousandths % 1000, 3)
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Whole lines under one lock, so that lines from two threads never interleave.
    private enum Output {
        case standardOutput, standardError

        private static let lock = NIOLock()

        func write(_ line: String) {
            Self.lock.withLock {
                var line = line
                line.withUTF8 { bytes in
                    var offset = 0
                    let descriptor = self == .standardOutput ? STDOUT_FILENO : STDERR_FILENO
                    while offset < bytes.count {
                        let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                        if written <= 0 { if errno == EINTR { continue } else { return } }
                        offset += written
                    }
                }
            }
        }
    }
}
