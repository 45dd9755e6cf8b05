import Foundation

/// Checks, chunk by chunk as a part is inflated, that it is well-formed XML as far as its
/// structure goes: one root element, every start tag closed by the matching end tag, nothing
/// cut off inside a tag, comment or CDATA section, no text outside the root, no DTD (OPC
/// forbids them, and an entity declaration is never to be expanded). The row parser finds
/// rows by their end tags and cannot tell a part that stops in the middle from a complete one;
/// this can. It does not check the characters of names or entity references.
///
/// Open elements are kept as hashes of their names: a sheet has tens of millions of tags, and
/// keeping their names cost as much as parsing the rows.
struct XMLStructureCheck {
    private enum State {
        case text, markup, startName, attributes, quoted(UInt8), emptyClose, endName, endTail
        case bang, processingInstruction, comment, cdata
    }

    private var state = State.text
    /// FNV-1a hashes of the names of the open elements, outermost first.
    private var open: [UInt64] = []
    /// The hash of the name being read, which may continue in the next chunk.
    private var name: UInt64 = 0
    private var bang: [UInt8] = []
    /// The last bytes of a comment, CDATA section or processing instruction, for its terminator.
    private var recent: (UInt8, UInt8) = (0, 0)
    private var sawRoot = false
    private var rootClosed = false
    private(set) var problem: String?
    /// Bytes checked so far.
    private(set) var offset = 0

    private static let basis: UInt64 = 0xCBF2_9CE4_8422_2325
    private static let prime: UInt64 = 0x100_0000_01B3

    init() { open.reserveCapacity(16) }

    /// Checks the next bytes of the part; false once a problem is found.
    @discardableResult
    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard problem == nil else { return false }
        var index = 0
        let end = bytes.count
        defer { offset += index }
        while index < end {
            switch state {
            case .text:
                if open.isEmpty {
                    // Outside the root only spaces (and a byte-order mark) may stand between markup.
                    while index < end, bytes[index] != UInt8(ascii: "<") {
                        guard XMLBytes.isSpace(bytes[index]) || (offset + index < 3 && bytes[index] >= 0xBB) else {
                            return fail(sawRoot ? "根元素结束后还有内容" : "开头不是 XML")
                        }
                        index += 1
                    }
                } else if let base = bytes.baseAddress, let found = memchr(base + index, Int32(UInt8(ascii: "<")), end - index) {
                    index = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
                } else {
                    index = end
                }
                guard index < end else { return true }
                index += 1
                state = .markup
            case .markup:
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "/"):
                    guard !open.isEmpty else { return fail("多出一个结束标记") }
                    name = Self.basis
                    state = .endName
                case UInt8(ascii: "?"):
                    recent = (0, 0)
                    state = .processingInstruction
                case UInt8(ascii: "!"):
                    bang.removeAll(keepingCapacity: true)
                    state = .bang
                default:
                    guard XMLBytes.isNameByte(byte) || byte == UInt8(ascii: ":"), byte != UInt8(ascii: "-"), byte != UInt8(ascii: "."),
                          !(byte >= 0x30 && byte <= 0x39) else {
                        return fail("出现了不合法的“<”")
                    }
                    guard !rootClosed else { return fail("根元素结束后还有内容") }
                    name = (Self.basis ^ UInt64(byte)) &* Self.prime
                    state = .startName
                }
            case .startName:
                var hash = name
                while index < end {
                    let byte = bytes[index]
                    guard XMLBytes.isNameByte(byte) || byte == UInt8(ascii: ":") else { break }
                    hash = (hash ^ UInt64(byte)) &* Self.prime
                    index += 1
                }
                name = hash
                guard index < end else { return true }
                open.append(hash)
                state = .attributes
            case .attributes:
                scan: while index < end {
                    let byte = bytes[index]
                    index += 1
                    // Names, values and spaces: nothing to look at above ">".
                    if byte > UInt8(ascii: ">") { continue }
                    switch byte {
                    case UInt8(ascii: ">"):
                        sawRoot = true
                        state = .text
                        break scan
                    case UInt8(ascii: "/"):
                        state = .emptyClose
                        break scan
                    case UInt8(ascii: "\""), UInt8(ascii: "'"):
                        state = .quoted(byte)
                        break scan
                    case UInt8(ascii: "<"):
                        return fail("有一个标记没有写完")
                    default:
                        continue
                    }
                }
            case .quoted(let quote):
                while index < end {
                    let byte = bytes[index]
                    index += 1
                    if byte > UInt8(ascii: "<") { continue }
                    if byte == quote { state = .attributes; break }
                    if byte == UInt8(ascii: "<") { return fail("有一个属性值没有写完") }
                }
            case .emptyClose:
                guard bytes[index] == UInt8(ascii: ">") else { return fail("有一个标记的写法不正确") }
                index += 1
                sawRoot = true
                pop()
                state = .text
            case .endName:
                var hash = name
                while index < end {
                    let byte = bytes[index]
                    guard XMLBytes.isNameByte(byte) || byte == UInt8(ascii: ":") else { break }
                    hash = (hash ^ UInt64(byte)) &* Self.prime
                    index += 1
                }
                name = hash
                guard index < end else { return true }
                guard hash == open.last else { return fail("结束标记与开始标记不匹配（第 \(open.count) 层）") }
                state = .endTail
            case .endTail:
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: ">") {
                    pop()
                    state = .text
                } else if !XMLBytes.isSpace(byte) {
                    return fail("有一个结束标记的写法不正确")
                }
            case .bang:
                bang.append(bytes[index])
                index += 1
                if bang == [UInt8(ascii: "-"), UInt8(ascii: "-")] {
                    recent = (0, 0)
                    state = .comment
                } else if bang.elementsEqual("[CDATA[".utf8) {
                    guard !open.isEmpty else { return fail("根元素之外出现了 CDATA") }
                    recent = (0, 0)
                    state = .cdata
                } else if bang.elementsEqual("DOCTYPE".utf8) {
                    return fail("含有文档类型声明（DTD），Excel 写出的文件不会有")
                } else if !("--".utf8.starts(with: bang) || "[CDATA[".utf8.starts(with: bang) || "DOCTYPE".utf8.starts(with: bang)) {
                    return fail("出现了不合法的“<!”")
                }
            case .processingInstruction, .comment, .cdata:
                let terminator: (UInt8, UInt8, UInt8)
                switch state {
                case .processingInstruction: terminator = (0, UInt8(ascii: "?"), UInt8(ascii: ">"))
                case .comment: terminator = (UInt8(ascii: "-"), UInt8(ascii: "-"), UInt8(ascii: ">"))
                default: terminator = (UInt8(ascii: "]"), UInt8(ascii: "]"), UInt8(ascii: ">"))
                }
                while index < end {
                    let byte = bytes[index]
                    index += 1
                    if byte == terminator.2, recent.1 == terminator.1, terminator.0 == 0 || recent.0 == terminator.0 {
                        state = .text
                        break
                    }
                    recent = (recent.1, byte)
                }
            }
        }
        return true
    }

    /// Call after the last chunk: nil when the part was complete, else what is wrong.
    mutating func finish() -> String? {
        if problem != nil { return problem }
        switch state {
        case .text:
            if !open.isEmpty { _ = fail("内容在中途中断，有 \(open.count) 层元素没有结束") }
            else if !sawRoot { _ = fail("没有内容") }
        case .comment: _ = fail("内容在中途中断，注释没有结束")
        case .cdata: _ = fail("内容在中途中断，CDATA 段没有结束")
        default: _ = fail("内容在中途中断，最后一个标记没有写完")
        }
        return problem
    }

    private mutating func pop() {
        _ = open.popLast()
        if open.isEmpty { rootClosed = true }
    }

    private mutating func fail(_ message: String) -> Bool {
        problem = message
        return false
    }
}
