import Foundation
import NIOCore
import Vapor

/// Recent answers of `/verify/{token}`, per instance, for a few seconds.
///
/// The QR code's target is the hottest public page: the same certificate is looked up again
/// and again while an office checks a pile of applications, and a look-up through the
/// database pool cost four fifths of the page's time beside `/healthz` (bench/certificates.sh).
/// A change of status made by this instance (revocation, reissue approved or reopened) empties
/// the cache at once; one made by another instance shows here within `lifetime`. Unknown
/// tokens are never kept, so guessing cannot fill the cache; it holds at most `capacity`
/// certificates and `byteCapacity` bytes of kept pages, and starts afresh when either is full.
final class VerificationCache: @unchecked Sendable {
    struct Entry {
        let answer: VerificationDTO
        /// The page as an anonymous visitor (no cookie) gets it: the layout then has no user part.
        var anonymousPage: ByteBuffer?
        fileprivate let expires: Date
        fileprivate let generation: Int
    }

    let lifetime: TimeInterval
    let capacity: Int
    /// The kept pages' bytes at most (`PEIXUN_VERIFY_CACHE_MB`); a page larger than this is not kept.
    let byteCapacity: Int
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var generation = 0
    /// The bytes of the kept pages.
    private var bytes = 0

    init(lifetime: TimeInterval = 5, capacity: Int = 20_000, byteCapacity: Int = 64 * 1_048_576) {
        self.lifetime = lifetime
        self.capacity = capacity
        self.byteCapacity = byteCapacity
    }

    /// The kept pages' bytes now.
    var keptBytes: Int { lock.withLock { bytes } }

    /// The kept answer for `token`, unless it is older than `lifetime`.
    func entry(token: String, now: Date) -> Entry? {
        lock.withLock {
            guard let entry = entries[token] else { return nil }
            guard entry.expires > now, entry.generation == generation else {
                remove(token)
                return nil
            }
            return entry
        }
    }

    /// The generation an answer read from the database now belongs to; pass it to `store`.
    var currentGeneration: Int { lock.withLock { generation } }

    /// Keeps an answer read while `generation` was current; dropped if a change came since.
    func store(token: String, answer: VerificationDTO, anonymousPage: ByteBuffer? = nil, generation: Int, now: Date) {
        lock.withLock {
            guard generation == self.generation else { return }
            if entries.count >= capacity, entries[token] == nil { startAfresh() }
            let kept = entries[token].flatMap { $0.expires > now && $0.generation == generation ? $0 : nil }
            var page = anonymousPage ?? kept?.anonymousPage
            if (page?.readableBytes ?? 0) > byteCapacity { page = nil }
            remove(token)
            let size = page?.readableBytes ?? 0
            if bytes + size > byteCapacity { startAfresh() }
            entries[token] = Entry(answer: answer, anonymousPage: page,
                                   expires: kept?.expires ?? now.addingTimeInterval(lifetime), generation: generation)
            bytes += size
        }
    }

    /// Under the lock.
    private func remove(_ token: String) {
        guard let entry = entries.removeValue(forKey: token) else { return }
        bytes -= entry.anonymousPage?.readableBytes ?? 0
    }

    /// Under the lock.
    private func startAfresh() {
        entries.removeAll(keepingCapacity: true)
        bytes = 0
    }

    /// After a certificate's status changed in this instance.
    func invalidate() {
        lock.withLock {
            generation += 1
            startAfresh()
        }
    }
}

private struct VerificationCacheKey: StorageKey { typealias Value = VerificationCache }

extension Application {
    /// Set once in `configure`: `PEIXUN_VERIFY_CACHE_SECONDS` (0–60, default 5; 0 keeps nothing),
    /// `PEIXUN_VERIFY_CACHE_MB` (1–1024, default 64).
    var verificationCache: VerificationCache {
        get { storage[VerificationCacheKey.self]! }
        set { storage[VerificationCacheKey.self] = newValue }
    }
}
