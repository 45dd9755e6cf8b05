import Foundation

/// An OOXML package as OPC (ECMA-376 part 2) defines it: parts found through relationships,
/// not at fixed names. `_rels/.rels` names the main part (`xl/workbook.xml` for Excel, but
/// `workbook.xml` at the root or any other path for some generators); the workbook's own
/// relationships name its sheets, shared strings and styles. Member names are matched as OPC
/// part names are: case-insensitively, with backslashes (written by some Windows tools) read
/// as slashes and percent-encoding resolved.
struct XlsxPackage {
    struct Relationship: Equatable {
        let id: String
        let type: String
        let target: String
        let external: Bool

        /// The type's last path segment: `officeDocument`, `worksheet`, `sharedStrings`, `styles`
        /// (transitional and strict OOXML use different namespaces for the same names).
        var kind: Substring { type.split(separator: "/").last ?? "" }
    }

    typealias Entry = ZipIntegrity.Entry
    private let entries: [String: Entry]

    init(_ members: [Entry]) {
        var entries: [String: Entry] = [:]
        for entry in members where !entry.name.hasSuffix("/") && !entry.name.hasSuffix("\\") {
            let key = Self.key(entry.name)
            if entries[key] == nil { entries[key] = entry }
        }
        self.entries = entries
    }

    subscript(partName: String) -> Entry? { entries[Self.key(partName)] }

    var isEmpty: Bool { entries.isEmpty }

    func contains(_ partName: String) -> Bool { entries[Self.key(partName)] != nil }

    /// Whether any member's name starts with `prefix` (compared as part names).
    func contains(prefix: String) -> Bool {
        let prefix = Self.key(prefix)
        return entries.keys.contains { $0.hasPrefix(prefix) }
    }

    /// A member or part name as a lookup key: `/xl\Worksheets\Sheet1.xml` → `xl/worksheets/sheet1.xml`.
    static func key(_ name: String) -> String {
        var name = name.replacingOccurrences(of: "\\", with: "/")
        while name.hasPrefix("/") { name.removeFirst() }
        if name.contains("%"), let decoded = name.removingPercentEncoding { name = decoded }
        return name.lowercased()
    }

    /// The relationships part of `source` (`xl/workbook.xml` → `xl/_rels/workbook.xml.rels`;
    /// the package itself, "" → `_rels/.rels`).
    static func relationshipsPart(of source: String) -> String {
        let (folder, name) = split(source)
        return folder + "_rels/" + name + ".rels"
    }

    /// The part a relationship of `source` points at: relative to the folder of `source`, or
    /// from the package root when it begins with `/`; `.` and `..` resolved.
    static func resolve(_ target: String, from source: String) -> String {
        let target = target.replacingOccurrences(of: "\\", with: "/")
        let base = target.hasPrefix("/") ? "" : split(source).folder
        var segments: [Substring] = []
        for segment in (base + target).split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        return segments.joined(separator: "/")
    }

    /// `xl/workbook.xml` → ("xl/", "workbook.xml").
    private static func split(_ part: String) -> (folder: String, name: String) {
        guard let slash = part.lastIndex(of: "/") else { return ("", part) }
        return (String(part[...slash]), String(part[part.index(after: slash)...]))
    }

    static func parseRelationships(_ data: Data) -> [Relationship] {
        var result: [Relationship] = []
        [UInt8](data).withUnsafeBufferPointer { bytes in
            XMLBytes.forEachStartTag(Array("Relationship".utf8), in: bytes) { range in
                let attributes = XMLBytes.attributes(in: bytes, tag: range)
                guard let id = attributes["Id"], let target = attributes["Target"] else { return }
                result.append(Relationship(id: id, type: attributes["Type"] ?? "", target: target,
                                           external: attributes["TargetMode"]?.lowercased() == "external"))
            }
        }
        return result
    }
}

extension XMLBytes {
    /// Calls `body` with the range of each start tag `<name …>` or `<prefix:name …>`, from `<` to `>`.
    static func forEachStartTag(_ name: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0, to end: Int? = nil,
                                _ body: (Range<Int>) -> Void) {
        let end = end ?? bytes.count
        var index = start
        while let found = find(name, in: bytes, from: index, to: end) {
            index = found + name.count
            guard index < end, found > 0 else { continue }
            let after = bytes[index]
            guard after == 32 || after == 9 || after == 10 || after == 13 || after == UInt8(ascii: ">") || after == UInt8(ascii: "/") else { continue }
            // Back to `<`, over an optional `prefix:`.
            var open = found - 1
            if bytes[open] == UInt8(ascii: ":") {
                open -= 1
                while open >= start, bytes[open] != UInt8(ascii: "<"), isNameByte(bytes[open]) { open -= 1 }
            }
            guard open >= start, bytes[open] == UInt8(ascii: "<") else { continue }
            var close = index
            var quote: UInt8 = 0
            while close < end {
                let byte = bytes[close]
                if quote != 0 {
                    if byte == quote { quote = 0 }
                } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    quote = byte
                } else if byte == UInt8(ascii: ">") {
                    break
                }
                close += 1
            }
            guard close < end else { return }
            body(open..<(close + 1))
            index = close + 1
        }
    }

    /// The attributes of a start tag by their qualified names (`r:id` stays `r:id`), values
    /// with entities resolved.
    static func attributes(in bytes: UnsafeBufferPointer<UInt8>, tag: Range<Int>) -> [String: String] {
        var result: [String: String] = [:]
        var index = tag.lowerBound + 1
        let end = tag.upperBound
        while index < end, !isSpace(bytes[index]) { index += 1 }  // the element's name
        while index < end {
            while index < end, isSpace(bytes[index]) { index += 1 }
            let nameStart = index
            while index < end, bytes[index] != UInt8(ascii: "="), !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">"), bytes[index] != UInt8(ascii: "/") { index += 1 }
            let nameEnd = index
            while index < end, isSpace(bytes[index]) { index += 1 }
            guard nameEnd > nameStart, index < end, bytes[index] == UInt8(ascii: "=") else { index += 1; continue }
            index += 1
            while index < end, isSpace(bytes[index]) { index += 1 }
            guard index < end, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else { continue }
            let quote = bytes[index]
            let valueStart = index + 1
            var valueEnd = valueStart
            while valueEnd < end, bytes[valueEnd] != quote { valueEnd += 1 }
            let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[nameStart..<nameEnd]), as: UTF8.self)
            if result[name] == nil { result[name] = text(bytes, valueStart..<valueEnd) }
            index = valueEnd + 1
        }
        return result
    }

    /// The value of the attribute whose local name is `local` and which has a namespace prefix
    /// (`r:id`, `ns1:id`), as sheets refer to their parts.
    static func prefixedAttribute(_ local: String, in attributes: [String: String]) -> String? {
        if let value = attributes["r:" + local] { return value }
        return attributes.first { $0.key.hasSuffix(":" + local) && !$0.key.hasPrefix("xmlns") }?.value
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 }

    static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte >= 0x80
    }
}
