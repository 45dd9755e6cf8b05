import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Turns the bytes of a CSV file into text: UTF-8 (with or without BOM) when they are valid
/// UTF-8, otherwise GB18030 — what Chinese Excel and WPS save as "CSV" — through iconv.
public enum TextDecoding {
    public enum Encoding: String, Sendable { case utf8 = "UTF-8", gb18030 = "GB18030", utf16 = "UTF-16" }

    public static func decode(_ data: Data) throws(SheetError) -> (text: String, encoding: Encoding) {
        let (bytes, encoding) = try utf8Bytes(of: data)
        return (String(decoding: bytes, as: UTF8.self), encoding)
    }

    /// The file's text as valid UTF-8 bytes, without a byte-order mark: CSV is parsed on bytes,
    /// since every character it cares about is ASCII and never part of a multi-byte sequence.
    /// Judged and converted in the file's own bytes: one copy of them, or the converted text.
    public static func utf8Bytes(of data: Data) throws(SheetError) -> (bytes: [UInt8], encoding: Encoding) {
        let result: (bytes: [UInt8], encoding: Encoding)? = data.withUnsafeBytes { raw in
            let all = raw.bindMemory(to: UInt8.self)
            if all.starts(with: [0xFF, 0xFE]) || all.starts(with: [0xFE, 0xFF]) {
                return utf8(all, from: "UTF-16").map { ($0, .utf16) }
            }
            let body = UnsafeBufferPointer(rebasing: all[(all.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0)...])
            if isValidUTF8(body) { return (Array(body), .utf8) }
            return utf8(body, from: "GB18030").map { ($0, .gb18030) }
        }
        if let result { return result }
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) {
            throw SheetError(.encoding, "文件是 UTF-16 编码但内容损坏，无法读取")
        }
        throw SheetError(.encoding, "无法识别文件的文字编码（既不是 UTF-8 也不是 GB18030）；请在 Excel 或 WPS 中另存为“CSV UTF-8”或 .xlsx")
    }

    static func isValidUTF8(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBufferPointer { isValidUTF8($0) } }

    /// Whether `bytes` are valid UTF-8 (no overlong forms, no surrogates, nothing above
    /// U+10FFFF), checked in place: `String(validating:)` takes a slow generic path (1 s for
    /// 18 MB), and decoding to compare made a second copy of the file.
    static func isValidUTF8(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = buffer.count
        var index = 0
        while index < count {
            // Eight ASCII bytes at a time.
            if index + 8 <= count {
                let word = UnsafeRawPointer(buffer.baseAddress! + index).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 == 0 { index += 8; continue }
            }
            let lead = buffer[index]
            if lead < 0x80 { index += 1; continue }
            let length: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return false
            }
            guard index + length <= count else { return false }
            let second = buffer[index + 1]
            guard second >= lower, second <= upper else { return false }
            for offset in 2..<max(2, length) where buffer[index + offset] & 0xC0 != 0x80 { return false }
            index += length
        }
        return true
    }

    static func convert(_ bytes: [UInt8], from encoding: String) -> String? {
        utf8(bytes, from: encoding).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `bytes` in `encoding` as UTF-8 bytes, through iconv, without copies of the input: a
    /// 60 MB file costs its own size once more and the output.
    static func utf8(_ bytes: [UInt8], from encoding: String) -> [UInt8]? {
        bytes.withUnsafeBufferPointer { utf8($0, from: encoding) }
    }

    static func utf8(_ bytes: UnsafeBufferPointer<UInt8>, from encoding: String) -> [UInt8]? {
        let descriptor = iconv_open("UTF-8", encoding)
        guard descriptor != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(descriptor) }
        // GB18030 and UTF-16 take at most 1.5 times their bytes in UTF-8 (2 → 3; 4 → 4).
        var output = [UInt8](repeating: 0, count: bytes.count + bytes.count / 2 + 16)
        var inputLeft = bytes.count, outputLeft = output.count
        let status: Int = output.withUnsafeMutableBytes { outBuffer in
            var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: bytes.baseAddress)?.assumingMemoryBound(to: CChar.self)
            var outPointer: UnsafeMutablePointer<CChar>? = outBuffer.baseAddress?.assumingMemoryBound(to: CChar.self)
            return iconv(descriptor, &inPointer, &inputLeft, &outPointer, &outputLeft)
        }
        guard status != -1, inputLeft == 0 else { return nil }
        output.removeLast(outputLeft)
        return output
    }
}
