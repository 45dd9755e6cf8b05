import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A block of cells merged into one (`<mergeCell ref="A2:A40"/>`): the value is stored in its
/// top-left cell only.
public struct MergedRange: Sendable, Hashable {
    /// Row numbers as Excel shows them (1-based), columns from A = 0.
    public let firstRow: Int
    public let lastRow: Int
    public let firstColumn: Int
    public let lastColumn: Int

    public init(firstRow: Int, lastRow: Int, firstColumn: Int, lastColumn: Int) {
        self.firstRow = firstRow
        self.lastRow = lastRow
        self.firstColumn = firstColumn
        self.lastColumn = lastColumn
    }

    /// "A2:A40" (or "$A$2:$A$40"); nil for anything else.
    init?(reference: some Collection<UInt8>) {
        let parts = reference.split(separator: UInt8(ascii: ":"))
        guard parts.count == 2, let first = ColumnName.parse(reference: ArraySlice(parts[0])),
              let last = ColumnName.parse(reference: ArraySlice(parts[1])),
              first.row > 0, last.row > 0, first.column >= 0, last.column >= 0 else { return nil }
        self.init(firstRow: min(first.row, last.row), lastRow: max(first.row, last.row),
                  firstColumn: min(first.column, last.column), lastColumn: max(first.column, last.column))
    }
}

/// What follows `</sheetData>` in a worksheet part (merged cells, validations, page setup):
/// collected while the sheet streams past, since merged cells come after the rows.
struct SheetTail {
    private static let marker = Array("</sheetData>".utf8)
    /// The end of the previous chunk, for a marker split between two chunks.
    private var carry: [UInt8] = []
    private var bytes: [UInt8]?
    /// A tail beyond this is not kept (a sheet's merged cells take a few kilobytes).
    static let maxBytes = 16 << 20

    mutating func feed(_ chunk: Data) {
        if bytes != nil {
            if bytes!.count < Self.maxBytes { bytes!.append(contentsOf: chunk.prefix(Self.maxBytes - bytes!.count)) }
            return
        }
        let marker = Self.marker
        // A marker that starts in the carried bytes.
        if !carry.isEmpty {
            let joined = carry + chunk.prefix(marker.count - 1)
            if let found = Self.find(marker, in: joined) {
                bytes = Array(chunk.dropFirst(found + marker.count - carry.count).prefix(Self.maxBytes))
                return
            }
        }
        let found = chunk.withUnsafeBytes { raw in Self.find(marker, in: raw.bindMemory(to: UInt8.self)) }
        if let found {
            bytes = Array(chunk.dropFirst(found + marker.count).prefix(Self.maxBytes))
        } else {
            carry = Array(chunk.suffix(marker.count - 1))
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    /// The marker in a chunk, found by its `D` — rare in a worksheet, where everything but
    /// cell references is lower case — with `memchr`, so that a sheet costs little to pass.
    private static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = haystack.baseAddress else { return nil }
        let anchor = 7  // "</sheetData>"[7] == "D"
        var from = anchor
        while from < haystack.count {
            guard let hit = memchr(base + from, Int32(needle[anchor]), haystack.count - from) else { return nil }
            let position = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit)) - anchor
            if position + needle.count <= haystack.count,
               UnsafeBufferPointer(rebasing: haystack[position..<(position + needle.count)]).elementsEqual(needle) {
                return position
            }
            from = position + anchor + 1
        }
        return nil
    }

    /// The merged ranges found after the rows.
    func mergedRanges() -> [MergedRange] {
        guard let bytes else { return [] }
        var result: [MergedRange] = []
        bytes.withUnsafeBufferPointer { buffer in
            XMLBytes.forEachStartTag(Array("mergeCell".utf8), in: buffer) { tag in
                if let reference = XMLBytes.attribute(Array("ref".utf8), in: buffer, from: tag.lowerBound, to: tag.upperBound),
                   let range = MergedRange(reference: buffer[reference]) {
                    result.append(range)
                }
            }
        }
        return result
    }
}
