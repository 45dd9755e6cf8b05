import CZlib
import Foundation

/// Inflates the entries `ZipIntegrity` found, with zlib, from the mapped file: only the
/// entry's own bytes are given to zlib, and a deflate stream that ends before its end marker
/// is an error. ZIPFoundation 0.9.20 reads on past the entry and, at the end of the file,
/// loops forever waiting for the marker — a 145 KB workbook hung a reader (found by
/// bench/fuzz, issue 12).
struct ZipInflater {
    struct Corrupt: Error {}

    let data: Data

    /// Hands `body` the entry's inflated bytes in chunks of at most `chunkSize`.
    func extract(_ entry: ZipIntegrity.Entry, chunkSize: Int = 1 << 16, _ body: (Data) throws -> Void) throws {
        let start = entry.dataStart, length = Int(clamping: entry.compressedSize)
        guard start >= 0, length >= 0, start <= data.count, length <= data.count - start else { throw Corrupt() }
        try data.withUnsafeBytes { raw in
            let input = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
            if entry.method == 0 {
                var offset = 0
                while offset < input.count {
                    let next = min(input.count, offset + chunkSize)
                    try body(Data(input[offset..<next]))
                    offset = next
                }
                return
            }
            var stream = z_stream()
            guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw Corrupt() }
            defer { inflateEnd(&stream) }
            var remaining = input.count
            var next = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: UInt8.self)) }
            var output = [UInt8](repeating: 0, count: chunkSize)
            while true {
                if stream.avail_in == 0, remaining > 0 {
                    // zlib counts input in 32 bits.
                    let piece = min(remaining, 1 << 30)
                    stream.next_in = next
                    stream.avail_in = UInt32(piece)
                    next = next.map { $0 + piece }
                    remaining -= piece
                }
                let status: Int32 = output.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = UInt32(buffer.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunkSize - Int(stream.avail_out)
                if produced > 0 { try body(Data(output[0..<produced])) }
                if status == Z_STREAM_END { return }
                // Z_BUF_ERROR: no progress possible — the entry's bytes ended before the stream did.
                guard status == Z_OK else { throw Corrupt() }
                if produced == 0, stream.avail_in == 0, remaining == 0 { throw Corrupt() }
            }
        }
    }
}
