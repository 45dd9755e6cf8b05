import Foundation

/// Reads a zip's directory and checks it against the local headers: a crafted workbook whose
/// local header disagrees with the central directory (another compression method, sizes that
/// run past the data) made ZIPFoundation 0.9.20 loop forever (found by bench/fuzz). Only
/// stored and deflated entries, lying wholly before the directory, pass. The entries found are
/// inflated by `ZipInflater`, not by ZIPFoundation.
enum ZipIntegrity {
    /// Where an entry's data lies, as the directory and its local header agree.
    struct Entry: Sendable {
        /// As stored (read as UTF-8: OOXML part names are ASCII).
        let name: String
        /// 0 stored, 8 deflated.
        let method: Int
        let compressedSize: UInt64
        let uncompressedSize: UInt64
        let dataStart: Int
    }

    static func check(_ url: URL) -> Bool {
        guard let data = try? Data(contentsOf: url, options: .alwaysMapped) else { return false }
        return entries(of: data) != nil
    }

    /// The archive's entries, or nil when its directory and local headers do not pass.
    static func entries(of data: Data) -> [Entry]? {
        guard data.count >= 22 else { return nil }
        return data.withUnsafeBytes { raw in entries(raw.bindMemory(to: UInt8.self)) }
    }

    private static func entries(_ bytes: UnsafeBufferPointer<UInt8>) -> [Entry]? {
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> UInt64 { UInt64(u16(at)) | UInt64(u16(at + 2)) << 16 }
        func u64(_ at: Int) -> UInt64 { u32(at) | u32(at + 4) << 32 }
        let count = bytes.count
        // End of central directory: within the last 64 KB + 22 bytes.
        var end = -1
        var position = count - 22
        while position >= max(0, count - 22 - 65_535) {
            if u32(position) == 0x0605_4B50 { end = position; break }
            position -= 1
        }
        guard end >= 0 else { return nil }
        var entries = UInt64(u16(end + 10))
        var directorySize = u32(end + 12)
        var directoryOffset = u32(end + 16)
        // ZIP64: the locator just before the record points to the 64-bit record.
        if directoryOffset == 0xFFFF_FFFF || entries == 0xFFFF, end >= 20, u32(end - 20) == 0x0706_4B50 {
            let record = Int(clamping: u64(end - 12))
            guard record >= 0, record + 56 <= count, u32(record) == 0x0606_4B50 else { return nil }
            entries = u64(record + 32)
            directorySize = u64(record + 40)
            directoryOffset = u64(record + 48)
        }
        guard directoryOffset <= UInt64(count), directorySize <= UInt64(count), directoryOffset + directorySize <= UInt64(count) else { return nil }
        var result: [Entry] = []
        var cursor = Int(directoryOffset)
        for _ in 0..<entries {
            guard cursor + 46 <= count, u32(cursor) == 0x0201_4B50 else { return nil }
            let method = u16(cursor + 10)
            var compressed = u32(cursor + 20)
            var uncompressed = u32(cursor + 24)
            let nameLength = u16(cursor + 28), extraLength = u16(cursor + 30), commentLength = u16(cursor + 32)
            var localOffset = u32(cursor + 42)
            guard cursor + 46 + nameLength + extraLength + commentLength <= count else { return nil }
            if compressed == 0xFFFF_FFFF || localOffset == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF {
                // The 64-bit values follow in the extra field, in this order, when their 32-bit fields say so.
                var extra = cursor + 46 + nameLength
                let extraEnd = extra + extraLength
                var found = false
                while extra + 4 <= extraEnd {
                    let id = u16(extra), size = u16(extra + 2)
                    if id == 0x0001 {
                        var field = extra + 4
                        if uncompressed == 0xFFFF_FFFF { guard field + 8 <= extraEnd else { return nil }; uncompressed = u64(field); field += 8 }
                        if compressed == 0xFFFF_FFFF { guard field + 8 <= extraEnd else { return nil }; compressed = u64(field); field += 8 }
                        if localOffset == 0xFFFF_FFFF { guard field + 8 <= extraEnd else { return nil }; localOffset = u64(field) }
                        found = true
                    }
                    extra += 4 + size
                }
                guard found else { return nil }
            }
            guard method == 0 || method == 8 else { return nil }
            let local = Int(clamping: localOffset)
            guard local >= 0, local + 30 <= count, u32(local) == 0x0403_4B50, u16(local + 8) == method else { return nil }
            let flags = u16(local + 6)
            let localCompressed = u32(local + 18)
            if flags & 0x0008 == 0, localCompressed != 0xFFFF_FFFF, localCompressed != compressed { return nil }
            let dataStart = UInt64(local + 30 + u16(local + 26) + u16(local + 28))
            guard compressed <= UInt64(count), dataStart + compressed <= directoryOffset else { return nil }
            // Stored data is its own size.
            guard method == 8 || compressed == uncompressed else { return nil }
            let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[(cursor + 46)..<(cursor + 46 + nameLength)]), as: UTF8.self)
            result.append(Entry(name: name, method: method, compressedSize: compressed, uncompressedSize: uncompressed, dataStart: Int(dataStart)))
            cursor += 46 + nameLength + extraLength + commentLength
        }
        return result
    }
}
