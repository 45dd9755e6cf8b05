import Fluent
import Foundation
import FluentSQLiteDriver
import FluentPostgresDriver
import SQLKit

/// Multi-row `INSERT`s of plain values for the big loads (a province's roster): on SQLite the
/// values go straight into SQLite's binds, skipping SQLKit's per-value serialization and
/// dynamic casts (a third of the import's time); on PostgreSQL through `COPY … FROM STDIN`
/// (`PostgresCopy`).
struct PlainBulkInsert {
    enum Value: Sendable {
        case text(String)
        case integer(Int)
        case date(Date)
        case bool(Bool)
        case null

        static func optional(_ text: String?) -> Value { text.map(Value.text) ?? .null }
        static func optional(_ number: Int?) -> Value { number.map(Value.integer) ?? .null }
    }

    private let table: String
    private let columns: [String]
    private let sqlite: (any SQLiteDatabase)?
    private var copy: PostgresCopy?
    private var binds: [SQLiteData] = []
    private var rows = 0
    private let rowsPerStatement: Int
    private var fullStatement: String?
    /// The statement SQLite is executing while the next one's values are gathered.
    private var inFlight: EventLoopFuture<Void>?
    private(set) var inserted = 0

    /// `pipelined`: see `PostgresCopy.init` (PostgreSQL only; SQLite always overlaps).
    init(into table: String, columns: [String], on database: any Database, pipelined: Bool = false) {
        self.table = table
        self.columns = columns
        sqlite = database as? any SQLiteDatabase
        if sqlite == nil {
            guard let postgres = database as? any PostgresDatabase else { preconditionFailure("\(table): neither SQLite nor PostgreSQL") }
            copy = PostgresCopy(into: table, columns: columns, on: postgres, pipelined: pipelined)
        }
        // SQLite allows 32,766 bound values per statement.
        rowsPerStatement = max(1, 32_000 / columns.count)
        binds.reserveCapacity(rowsPerStatement * columns.count)
    }

    mutating func append(_ values: [Value]) async throws {
        precondition(values.count == columns.count, "\(table): \(values.count) values for \(columns.count) columns")
        guard sqlite != nil else {
            try await copy!.append(values)
            return
        }
        for value in values {
            switch value {
            case .text(let text): binds.append(.text(text))
            case .integer(let number): binds.append(.integer(number))
            case .date(let date): binds.append(.float(date.timeIntervalSince1970))
            case .bool(let flag): binds.append(.integer(flag ? 1 : 0))
            case .null: binds.append(.null)
            }
        }
        rows += 1
        if rows >= rowsPerStatement { try await send() }
    }

    /// Waits for what is already on its way, sending nothing more: for a load given up, whose
    /// connection must be idle before its transaction ends.
    mutating func settle() async {
        _ = try? await inFlight?.get()
        inFlight = nil
        if copy != nil { await copy!.settle() }
    }

    /// Sends what is pending and waits until every statement has run.
    mutating func flush() async throws {
        try await send()
        try await inFlight?.get()
        inFlight = nil
    }

    /// Sends what is pending without waiting for it: SQLite works on its thread while the
    /// caller gathers the next rows.
    private mutating func send() async throws {
        guard let sqlite else {
            try await copy!.flush()
            inserted = copy!.inserted
            return
        }
        guard rows > 0 else { return }
        try await inFlight?.get()
        let statement: String
        if rows == rowsPerStatement, let full = fullStatement {
            statement = full
        } else {
            statement = Self.statement(table: table, columns: columns, rows: rows)
            if rows == rowsPerStatement { fullStatement = statement }
        }
        inFlight = sqlite.query(statement, binds, logger: sqlite.logger) { _ in }
        inserted += rows
        rows = 0
        binds = []
        binds.reserveCapacity(rowsPerStatement * columns.count)
    }

    private static func statement(table: String, columns: [String], rows: Int) -> String {
        let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        return "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ",") + ") VALUES "
            + Array(repeating: tuple, count: rows).joined(separator: ",")
    }
}
