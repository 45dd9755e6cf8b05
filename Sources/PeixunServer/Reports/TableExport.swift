import FluentSQLiteDriver
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// A list export read a chunk at a time, so that neither a request nor a job holds more than
/// one chunk of rows (a province's registry is 737,686 of them).
///
/// The list's order is an office's (county, school, name), not the id's, so chunks cannot be
/// cut by `id > last` alone: the ids are read first, in the file's order and the export's
/// scope (one integer a row: at most 8 MB for the most a sheet holds), then the rows a chunk
/// of ids at a time by primary key, with the scope applied again. No chunk is found by OFFSET,
/// and a teacher removed between the two reads is simply left out.
struct TableExport: Sendable {
    let layout: TableLayout
    /// The rows' ids in the file's order.
    let ids: [Int]
    /// The rows of these ids, in their order (an id no longer matching is left out).
    let rows: @Sendable ([Int]) async throws -> [[String]]

    /// Hands each chunk to `body` with the number of ids read so far.
    func forEachChunk(size: Int, _ body: ([[String]], Int) async throws -> Void) async throws {
        let size = max(1, size)
        for start in stride(from: 0, to: ids.count, by: size) {
            let end = min(start + size, ids.count)
            try await body(try await rows(Array(ids[start..<end])), end)
        }
    }

    /// The whole list in memory, for the direct download (at most `inlineExportRows` rows).
    func download(chunkRows: Int) async throws -> TableDownload {
        var all: [[String]] = []
        all.reserveCapacity(ids.count)
        try await forEachChunk(size: chunkRows) { chunk, _ in all.append(contentsOf: chunk) }
        return TableDownload(layout, rows: all)
    }

    /// The `id` column of `query` (which must order its rows), streamed into one array of
    /// integers rather than decoded as rows. More than a sheet holds is refused in Chinese.
    static func ids(_ query: SQLQueryString, what: String, on sql: any SQLDatabase) async throws -> [Int] {
        let collected = NIOLockedValueBox((ids: [Int](), error: (any Error)?.none))
        let limited = query + " LIMIT \(literal: TableLayout.maxRows + 1)"
        let collect: @Sendable (any SQLRow) -> Void = { row in
            collected.withLockedValue { state in
                do { state.ids.append(try row.decode(column: "id", as: Int.self)) } catch { state.error = error }
            }
        }
        if let sqlite = sql as? any SQLiteDatabase {
            // Through Fluent, SQLite hands every row to the event loop as a task of its own and
            // keeps them all until the last (130 MB for a province's ids); a connection's own
            // query calls back row by row as it steps.
            try await sqlite.withConnection { connection in try await connection.sql().raw(limited).run(collect) }
        } else {
            try await sql.raw(limited).run(collect)
        }
        let (ids, error) = collected.withLockedValue { ($0.ids, $0.error) }
        if let error { throw error }
        try TableLayout.checkRowLimit(ids.count, what: what)
        return ids
    }

    /// `rows` put back into the order of `ids`.
    static func ordered<Row>(_ rows: [Row], by ids: [Int], id: (Row) -> Int) -> [Row] {
        let byID = Dictionary(rows.map { (id($0), $0) }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { byID[$0] }
    }

    /// `column IN (…)` for a chunk of ids, written as integer literals (a chunk of thousands
    /// would otherwise need as many bind parameters).
    static func idList(_ column: String, _ ids: [Int]) -> SQLQueryString {
        "\(unsafeRaw: column) IN (\(unsafeRaw: ids.isEmpty ? "NULL" : ids.map(String.init).joined(separator: ",")))"
    }
}
