import Foundation

/// Writes the cells of a workbook as JSON while they are read, one row a line:
///
///     {"sheets": [
///     {"name": "名册", "rows": [
///     ["县(市、区)", "姓名"],
///     [],
///     ["武侯区", "张三"]
///     ]}
///     ]}
///
/// Each cell is its `storedText`. Output goes out in pieces of 64 KB, never held whole.
public final class CellsJSONWriter: CellSink {
    private let output: ([UInt8]) throws -> Void
    private var buffer: [UInt8] = []
    private var sheetCount = 0
    private var rowCount = 0

    /// `output` receives the JSON in pieces, in order.
    public init(output: @escaping ([UInt8]) throws -> Void) {
        self.output = output
        buffer.reserveCapacity(1 << 16)
    }

    /// Writes to a file handle (standard output for the command).
    public convenience init(fileHandle: FileHandle) {
        self.init { fileHandle.write(Data($0)) }
    }

    public func beginSheet(named name: String) throws {
        buffer += Array((sheetCount == 0 ? "{\"sheets\": [\n" : ",\n").utf8)
        buffer += Array("{\"name\": ".utf8)
        Self.appendString(name, to: &buffer)
        buffer += Array(", \"rows\": [".utf8)
        sheetCount += 1
        rowCount = 0
    }

    public func row(_ cells: [CellValue]) throws {
        buffer += Array((rowCount == 0 ? "\n[" : ",\n[").utf8)
        for (index, cell) in cells.enumerated() {
            if index > 0 { buffer += [UInt8(ascii: ","), UInt8(ascii: " ")] }
            Self.appendString(cell.storedText, to: &buffer)
        }
        buffer.append(UInt8(ascii: "]"))
        rowCount += 1
        if buffer.count >= 1 << 16 { try flush() }
    }

    public func endSheet() throws {
        buffer += Array((rowCount == 0 ? "]}" : "\n]}").utf8)
    }

    /// Closes the JSON (also for a workbook without sheets) and hands over the rest.
    public func finish() throws {
        buffer += Array((sheetCount == 0 ? "{\"sheets\": []}\n" : "\n]}\n").utf8)
        try flush()
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try output(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// A JSON string: quote, backslash and control characters escaped, everything else as UTF-8.
    static func appendString(_ text: String, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer += [92, UInt8(ascii: "\"")]
            case 92: buffer += [92, 92]
            case 10: buffer += [92, UInt8(ascii: "n")]
            case 13: buffer += [92, UInt8(ascii: "r")]
            case 9: buffer += [92, UInt8(ascii: "t")]
            case 0..<32:
                let hex = Array("0123456789abcdef".utf8)
                buffer += [92, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: buffer.append(byte)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }
}
