/// Byte-level helpers for the few XML shapes a worksheet uses. Much faster than a general
/// XML parser, and enough: OOXML parts are machine-written and regular.
enum XMLBytes {
    static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int? {
        guard needle.count > 0, end - start >= needle.count else { return nil }
        let first = needle[0]
        var index = start
        let last = end - needle.count
        while index <= last {
            if bytes[index] == first {
                var matched = true
                for offset in 1..<needle.count where bytes[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }

    /// The value of `name="…"` inside a start tag spanning `start..<end`.
    static func attribute(_ name: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Range<Int>? {
        var index = start
        while let found = find(name, in: bytes, from: index, to: end) {
            let before = found > 0 ? bytes[found - 1] : 32
            let afterName = found + name.count
            if (before == 32 || before == 9 || before == 10 || before == 13), afterName + 1 < end,
               bytes[afterName] == UInt8(ascii: "="), bytes[afterName + 1] == UInt8(ascii: "\"") || bytes[afterName + 1] == UInt8(ascii: "'") {
                let quote = bytes[afterName + 1]
                var close = afterName + 2
                while close < end, bytes[close] != quote { close += 1 }
                return (afterName + 2)..<close
            }
            index = found + 1
        }
        return nil
    }

    /// A non-negative decimal integer, or nil.
    static func integer(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count < 19 else { return nil }
        var value = 0
        for index in range {
            let digit = Int(bytes[index]) - 48
            guard digit >= 0, digit <= 9 else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    /// Text with the five XML entities and numeric character references resolved, and line
    /// ends as XML reads them (CR LF and a lone CR become LF; `&#13;` stays a CR). `xstring`:
    /// also OOXML's `_xHHHH_` escapes (ST_Xstring), with which Excel stores control
    /// characters (`_x000D_`) and an underscore that would look like one (`_x005F_`).
    static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, xstring: Bool = false) -> String {
        var special = false
        for index in range {
            let byte = bytes[index]
            if byte == UInt8(ascii: "&") || byte == 13 || (xstring && byte == UInt8(ascii: "_")) { special = true; break }
        }
        if !special { return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
        var output: [UInt8] = []
        output.reserveCapacity(range.count)
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            if byte == 13 {
                output.append(10)
                index += 1
                if index < range.upperBound, bytes[index] == 10 { index += 1 }
                continue
            }
            if xstring, byte == UInt8(ascii: "_"), let scalar = escapedScalar(bytes, at: index, before: range.upperBound) {
                output.append(contentsOf: String(Character(scalar)).utf8)
                index += 7
                continue
            }
            guard byte == UInt8(ascii: "&") else { output.append(byte); index += 1; continue }
            var semicolon = index + 1
            while semicolon < range.upperBound, bytes[semicolon] != UInt8(ascii: ";"), semicolon - index < 12 { semicolon += 1 }
            let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[(index + 1)..<semicolon]), as: UTF8.self)
            var replacement: String?
            switch name {
            case "amp": replacement = "&"
            case "lt": replacement = "<"
            case "gt": replacement = ">"
            case "quot": replacement = "\""
            case "apos": replacement = "'"
            default:
                if name.hasPrefix("#x"), let value = UInt32(name.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(value) {
                    replacement = String(Character(scalar))
                } else if name.hasPrefix("#"), let value = UInt32(name.dropFirst()), let scalar = Unicode.Scalar(value) {
                    replacement = String(Character(scalar))
                }
            }
            if let replacement, semicolon < range.upperBound {
                output.append(contentsOf: replacement.utf8)
                index = semicolon + 1
            } else {
                output.append(byte)
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The character of an `_xHHHH_` escape starting at `start`.
    private static func escapedScalar(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, before end: Int) -> Unicode.Scalar? {
        guard start + 7 <= end, bytes[start + 1] == UInt8(ascii: "x"), bytes[start + 6] == UInt8(ascii: "_") else { return nil }
        var value: UInt32 = 0
        for index in (start + 2)..<(start + 6) {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case 48...57: digit = byte - 48
            case 65...70: digit = byte - 55
            case 97...102: digit = byte - 87
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return Unicode.Scalar(value)
    }

    /// All `<t>…</t>` texts between `start` and `end`, concatenated, skipping phonetic runs.
    static func joinedTexts(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, tags: SpreadsheetTags = .plain) -> String {
        var result = ""
        var index = start
        let tOpen = tags.tOpen, tClose = tags.tClose, rPhOpen = tags.rPhOpen, rPhClose = tags.rPhClose
        while let open = find(tOpen, in: bytes, from: index, to: end) {
            guard open + tOpen.count < end else { break }
            let next = bytes[open + tOpen.count]
            guard next == UInt8(ascii: ">") || isSpace(next) else { index = open + tOpen.count; continue }
            if let phonetic = find(rPhOpen, in: bytes, from: index, to: open), let phoneticEnd = find(rPhClose, in: bytes, from: phonetic, to: end), phoneticEnd > open {
                index = phoneticEnd + rPhClose.count
                continue
            }
            guard let contentStart = find([UInt8(ascii: ">")], in: bytes, from: open, to: end) else { break }
            if bytes[contentStart - 1] == UInt8(ascii: "/") { index = contentStart + 1; continue }
            guard let close = find(tClose, in: bytes, from: contentStart, to: end) else { break }
            result += text(bytes, (contentStart + 1)..<close, xstring: true)
            index = close + tClose.count
        }
        return result
    }

    /// The namespace prefix of the root element with its colon (`x:` for `<x:worksheet …>`),
    /// empty for none; nil while the bytes do not yet reach the root's name.
    static func rootPrefix(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var index = 0
        while index < bytes.count {
            guard let open = find([UInt8(ascii: "<")], in: bytes, from: index, to: bytes.count), open + 1 < bytes.count else { return nil }
            let next = bytes[open + 1]
            if next == UInt8(ascii: "?") || next == UInt8(ascii: "!") {
                // The declaration, a comment: skip to its end.
                guard let close = find([UInt8(ascii: ">")], in: bytes, from: open, to: bytes.count) else { return nil }
                index = close + 1
                continue
            }
            var end = open + 1
            while end < bytes.count, isNameByte(bytes[end]) || bytes[end] == UInt8(ascii: ":") { end += 1 }
            guard end < bytes.count else { return nil }
            let name = bytes[(open + 1)..<end]
            guard let colon = name.firstIndex(of: UInt8(ascii: ":")) else { return [] }
            return Array(bytes[(open + 1)...colon])
        }
        return nil
    }
}

/// The element names of a worksheet or shared-string part, with the namespace prefix its
/// writer used (none for Excel; `x:` for the Open XML SDK).
struct SpreadsheetTags: Sendable {
    let rowOpen, rowClose, cellOpen, cellClose, valueOpen, valueClose, inlineOpen, inlineClose: [UInt8]
    let tOpen, tClose, rPhOpen, rPhClose, siOpen, siClose: [UInt8]

    static let plain = SpreadsheetTags(prefix: [])

    init(prefix: [UInt8]) {
        func open(_ name: String, _ suffix: String = "") -> [UInt8] { [UInt8(ascii: "<")] + prefix + Array((name + suffix).utf8) }
        func close(_ name: String) -> [UInt8] { Array("</".utf8) + prefix + Array((name + ">").utf8) }
        rowOpen = open("row"); rowClose = close("row")
        cellOpen = open("c"); cellClose = close("c")
        valueOpen = open("v", ">"); valueClose = close("v")
        inlineOpen = open("is", ">"); inlineClose = close("is")
        tOpen = open("t"); tClose = close("t")
        rPhOpen = open("rPh"); rPhClose = close("rPh")
        siOpen = open("si"); siClose = close("si")
    }
}

/// Collects decompressed chunks and hands over each complete element that ends with
/// `closing`, keeping only the unfinished tail in memory. Each byte is searched once: a row
/// spread over many chunks made every chunk search the whole tail again (quadratic).
struct ElementStream {
    /// An unfinished element longer than this is refused: no row or string Excel writes is.
    static let maxPending = 64 << 20
    let closing: [UInt8]
    private var buffer: [UInt8] = []
    /// Where in `buffer` the next search starts: everything before it holds no `closing`.
    private var searchFrom = 0

    init(closing: String) { self.init(closing: Array(closing.utf8)) }

    init(closing: [UInt8]) {
        self.closing = closing
        buffer.reserveCapacity(1 << 17)
    }

    /// False when the unfinished element has grown beyond `maxPending`.
    mutating func feed(_ chunk: some Collection<UInt8>, _ handle: (UnsafeBufferPointer<UInt8>, Range<Int>) throws -> Void) rethrows -> Bool {
        buffer.append(contentsOf: chunk)
        var consumed = 0
        var searchFrom = self.searchFrom
        let closing = self.closing
        try buffer.withUnsafeBufferPointer { bytes in
            while let end = XMLBytes.find(closing, in: bytes, from: searchFrom, to: bytes.count) {
                let elementEnd = end + closing.count
                try handle(bytes, consumed..<elementEnd)
                consumed = elementEnd
                searchFrom = elementEnd
            }
        }
        if consumed > 0 { buffer.removeSubrange(0..<consumed) }
        // A `closing` may begin in the last bytes and end in the next chunk.
        self.searchFrom = max(0, buffer.count - closing.count + 1)
        return buffer.count <= Self.maxPending
    }

    var leftover: Int { buffer.count }
}
