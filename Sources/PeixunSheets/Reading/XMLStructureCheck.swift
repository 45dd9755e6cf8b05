/// Checks, chunk by chunk as a part is inflated, that it is well-formed XML as far as its
/// structure goes: one root element, every start tag closed by the matching end tag, nothing
/// cut off inside a tag, comment or CDATA section, no text outside the root, no DTD (OPC
/// forbids them, and an entity declaration is never to be expanded). The row parser finds
/// rows by their end tags and cannot tell a part that stops in the middle from a complete one;
/// this can. It does not check the characters of names or entity references.
struct XMLStructureCheck {
    private enum State {
        case text, markup, startName, attributes, quoted(UInt8), emptyClose, endName, endTail
        case bang, processingInstruction, comment, cdata
    }

    private var state = State.text
    /// Names of the open elements, end to end; `starts` says where each begins.
    private var names: [UInt8] = []
    private var starts: [Int] = []
    private var endName: [UInt8] = []
    private var bang: [UInt8] = []
    /// The last bytes of a comment, CDATA section or processing instruction, for its terminator.
    private var recent: (UInt8, UInt8) = (0, 0)
    private var sawRoot = false
    private var rootClosed = false
    private(set) var problem: String?
    /// Bytes checked so far, for the message.
    private(set) var offset = 0

    init() {
        names.reserveCapacity(256)
        starts.reserveCapacity(16)
    }

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
                if starts.isEmpty {
                    // Outside the root only spaces may stand between markup.
                    while index < end, bytes[index] != UInt8(ascii: "<") {
                        guard XMLBytes.isSpace(bytes[index]) || (offset + index < 3 && bytes[index] >= 0xBB) else {
                            return fail(sawRoot ? "根元素结束后还有内容" : "开头不是 XML")
                        }
                        index += 1
                    }
                } else {
                    while index < end, bytes[index] != UInt8(ascii: "<") { index += 1 }
                }
                guard index < end else { return true }
                index += 1
                state = .markup
            case .markup:
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "/"):
                    guard !starts.isEmpty else { return fail("多出一个结束标记") }
                    endName.removeAll(keepingCapacity: true)
                    state = .endName
                case UInt8(ascii: "?"):
                    recent = (0, 0)
                    state = .processingInstruction
                case UInt8(ascii: "!"):
                    bang.removeAll(keepingCapacity: true)
                    state = .bang
                default:
                    guard XMLBytes.isNameByte(byte) || byte == UInt8(ascii: ":"), byte != UInt8(ascii: "-"), byte != UInt8(ascii: "."), !(byte >= 0x30 && byte <= 0x39) else {
                        return fail("出现了不合法的“<”")
                    }
                    guard !rootClosed else { return fail("根元素结束后还有内容") }
                    starts.append(names.count)
                    names.append(byte)
                    state = .startName
                }
            case .startName:
                while index < end {
                    let byte = bytes[index]
                    if XMLBytes.isNameByte(byte) || byte == UInt8(ascii: ":") { names.append(byte); index += 1; continue }
                    break
                }
                guard index < end else { return true }
                state = .attributes
            case .attributes:
                scan: while index < end {
                    let byte = bytes[index]
                    index += 1
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
                        return fail("标记 <\(currentName)> 没有结束")
                    default:
                        continue
                    }
                }
            case .quoted(let quote):
                while index < end {
                    let byte = bytes[index]
                    index += 1
                    if byte == quote { state = .attributes; break }
                    if byte == UInt8(ascii: "<") { return fail("标记 <\(currentName)> 的属性值没有结束") }
                }
            case .emptyClose:
                guard bytes[index] == UInt8(ascii: ">") else { return fail("标记 <\(currentName)> 的写法不正确") }
                index += 1
                sawRoot = true
                pop()
                state = .text
            case .endName:
                while index < end {
                    let byte = bytes[index]
                    if XMLBytes.isNameByte(byte) || byte == UInt8(ascii: ":") { endName.append(byte); index += 1; continue }
                    break
                }
                guard index < end else { return true }
                let open = names[starts.last!...]
                guard open.elementsEqual(endName) else {
                    let found = String(decoding: endName, as: UTF8.self)
                    return fail("元素 <\(currentName)> 未结束就出现了 </\(found)>")
                }
                state = .endTail
            case .endTail:
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: ">") {
                    pop()
                    state = .text
                } else if !XMLBytes.isSpace(byte) {
                    return fail("结束标记 </\(currentName)> 的写法不正确")
                }
            case .bang:
                bang.append(bytes[index])
                index += 1
                if bang == [UInt8(ascii: "-"), UInt8(ascii: "-")] {
                    recent = (0, 0)
                    state = .comment
                } else if bang.elementsEqual("[CDATA[".utf8) {
                    guard !starts.isEmpty else { return fail("根元素之外出现了 CDATA") }
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
            if !starts.isEmpty { return fail("元素 <\(currentName)> 没有结束（内容在中途中断）") ? nil : problem }
            if !sawRoot { return fail("没有内容") ? nil : problem }
            return nil
        case .comment: return fail("注释没有结束（内容在中途中断）") ? nil : problem
        case .cdata: return fail("CDATA 段没有结束（内容在中途中断）") ? nil : problem
        default: return fail("标记没有结束（内容在中途中断）") ? nil : problem
        }
    }

    private var currentName: String {
        guard let start = starts.last else { return "" }
        return String(decoding: names[start...].prefix(40), as: UTF8.self)
    }

    private mutating func pop() {
        guard let start = starts.popLast() else { return }
        names.removeSubrange(start...)
        if starts.isEmpty { rootClosed = true }
    }

    private mutating func fail(_ message: String) -> Bool {
        problem = message
        return false
    }
}
