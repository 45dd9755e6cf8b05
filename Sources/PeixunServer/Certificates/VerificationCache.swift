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
/// certificates and starts afresh when full.
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
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var generation = 0

    init(lifetime: TimeInterval = 5, capacity: Int = 20_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The kept answer for `token`, unless it is older than `lifetime`.
    func entry(token: String, now: Date) -> Entry? {
        lock.withLock {
            guard let entry = entries[token] else { return nil }
            guard entry.expires > now, entry.generation == generation else {
                entries[token] = nil
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
            if entries.count >= capacity, entries[token] == nil { entries.removeAll(keepingCapacity: true) }
            let kept = entries[token].flatMap { $0.expires > now && $0.generation == generation ? $0 : nil }
            entries[token] = Entry(answer: answer, anonymousPage: anonymousPage ?? kept?.anonymousPage,
                                   expires: kept?.expires ?? now.addingTimeInterval(lifetime), generation: generation)
        }
    }

    /// After a certificate's status changed in this instance.
    func invalidate() {
        lock.withLock {
            generation += 1
            entries.removeAll(keepingCapacity: true)
        }
    }
}

private struct VerificationCacheKey: StorageKey { typealias Value = VerificationCache }

extension Application {
    /// Set once in `configure`: `PEIXUN_VERIFY_CACHE_SECONDS` (0–60, default 5; 0 keeps nothing).
    var verificationCache: VerificationCache {
        get { storage[VerificationCacheKey.self]! }
        set { storage[VerificationCacheKey.self] = newValue }
    }
}
