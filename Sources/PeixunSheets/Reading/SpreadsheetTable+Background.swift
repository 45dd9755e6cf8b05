import Foundation

extension SpreadsheetTable {
    /// `read` on two threads: one inflates and parses the file, the other hands each row to
    /// `body`, so that checking rows costs no extra wall time on a two-core machine. Neither
    /// thread is an event loop; the caller awaits the end. `body` runs on one thread only, in
    /// row order. If `body` throws, reading stops and the error is rethrown here.
    public static func readInBackground(url: URL, fileName: String, specs: [ColumnSpec], options: Options = Options(),
                                        _ body: @escaping @Sendable (SheetRow, HeaderMatch) throws -> Void) async throws -> Opened {
        let queue = RowBatchQueue(capacity: 16)
        let producer = Thread {
            do {
                var pending: [SheetRow] = []
                pending.reserveCapacity(RowBatchQueue.batchSize)
                let opened = try read(url: url, fileName: fileName, specs: specs, options: options) { row, header in
                    pending.append(row)
                    if pending.count == RowBatchQueue.batchSize {
                        guard queue.put(pending, header: header) else { throw CancellationError() }
                        pending.removeAll(keepingCapacity: true)
                    }
                }
                if !pending.isEmpty { _ = queue.put(pending, header: opened.header) }
                queue.finish(.success(opened))
            } catch {
                queue.finish(.failure(error))
            }
        }
        producer.stackSize = 8 << 20
        producer.start()
        return try await withCheckedThrowingContinuation { continuation in
            let consumer = Thread {
                do {
                    while let (rows, header) = try queue.take() {
                        for row in rows { try body(row, header) }
                    }
                    continuation.resume(with: queue.outcome!)
                } catch {
                    queue.cancel()
                    continuation.resume(throwing: error)
                }
            }
            consumer.stackSize = 8 << 20
            consumer.start()
        }
    }
}

/// A bounded hand-over from a producing thread to a consuming one: row batches from the
/// reading thread to the checking thread, inflated chunks to the shared-string parser.
final class HandOverQueue<Item, Outcome>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Item] = []
    private let capacity: Int
    private var cancelled = false
    private(set) var outcome: Result<Outcome, any Error>?

    init(capacity: Int) { self.capacity = capacity }

    /// False when the consumer has given up: the producer stops.
    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    func finish(_ result: Result<Outcome, any Error>) {
        condition.lock()
        outcome = result
        condition.broadcast()
        condition.unlock()
    }

    /// The next item; nil at the end; the producer's error once its items are consumed.
    func take() throws -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && outcome == nil { condition.wait() }
        if !items.isEmpty {
            let item = items.removeFirst()
            condition.broadcast()
            return item
        }
        if case .failure(let error) = outcome! { throw error }
        return nil
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}

typealias RowBatchQueue = HandOverQueue<([SheetRow], HeaderMatch), SpreadsheetTable.Opened>

extension RowBatchQueue {
    static var batchSize: Int { 2048 }

    func put(_ rows: [SheetRow], header: HeaderMatch) -> Bool { put((rows, header)) }
}
