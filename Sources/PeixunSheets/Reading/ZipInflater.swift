import CZlib
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Inflates the entries `ZipIntegrity` found, with zlib, reading the file in pieces: only the
/// entry's own bytes are given to zlib, and a deflate stream that ends before its end marker
/// is an error. ZIPFoundation 0.9.20 reads on past the entry and, at the end of the file,
/// loops forever waiting for the marker — a 145 KB workbook hung a reader (found by
/// bench/fuzz, issue 12).
final class ZipInflater: @unchecked Sendable {
    struct Corrupt: Error {}

    private let descriptor: Int32
    /// Compressed bytes read at a time.
    private let inputSize = 1 << 18

    init?(url: URL) {
        descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
    }

    deinit { close(descriptor) }

    /// Hands `body` the entry's inflated bytes in chunks of at most `chunkSize`.
    func extract(_ entry: ZipIntegrity.Entry, chunkSize: Int = 1 << 16, _ body: (Data) throws -> Void) throws {
        var offset = entry.dataStart
        var remaining = Int(clamping: entry.compressedSize)
        guard offset >= 0, remaining >= 0 else { throw Corrupt() }
        let input = UnsafeMutablePointer<UInt8>.allocate(capacity: inputSize)
        defer { input.deallocate() }
        /// The next piece of the entry's bytes into `input`; its length.
        func refill(_ limit: Int) throws -> Int {
            let count = min(remaining, limit)
            var done = 0
            while done < count {
                let read = pread(descriptor, input + done, count - done, off_t(offset + done))
                guard read > 0 else { throw Corrupt() }
                done += read
            }
            offset += count
            remaining -= count
            return count
        }
        if entry.method == 0 {
            while remaining > 0 {
                let count = try refill(min(chunkSize, inputSize))
                try body(Data(bytes: input, count: count))
            }
            return
        }
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw Corrupt() }
        defer { inflateEnd(&stream) }
        let output = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { output.deallocate() }
        while true {
            if stream.avail_in == 0, remaining > 0 {
                stream.avail_in = UInt32(try refill(inputSize))
                stream.next_in = input
            }
            stream.next_out = output
            stream.avail_out = UInt32(chunkSize)
            let status = inflate(&stream, Z_NO_FLUSH)
            let produced = chunkSize - Int(stream.avail_out)
            if produced > 0 { try body(Data(bytes: output, count: produced)) }
            if status == Z_STREAM_END { return }
            // Z_BUF_ERROR: no progress possible — the entry's bytes ended before the stream did.
            guard status == Z_OK else { throw Corrupt() }
            if produced == 0, stream.avail_in == 0, remaining == 0 { throw Corrupt() }
        }
    }
}
