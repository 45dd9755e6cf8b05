import SQLKit

/// Inserts many rows with multi-row `INSERT … VALUES (…), (…)` statements, staying under the
/// bind-parameter limit of both SQLite (32,766) and PostgreSQL (65,535).
struct BulkInsert {
    let database: any SQLDatabase
    let table: String
    let columns: [String]
    private var pending: [[any SQLExpression]] = []
    private let rowsPerStatement: Int
    private(set) var inserted = 0

    init(into table: String, columns: [String], on database: any SQLDatabase) {
        self.database = database
        self.table = table
        self.columns = columns
        self.rowsPerStatement = max(1, 30_000 / columns.count)
        pending.reserveCapacity(rowsPerStatement)
    }

    mutating func append(_ values: [any Encodable & Sendable]) async throws {
        precondition(values.count == columns.count, "\(table): \(values.count) values for \(columns.count) columns")
        pending.append(values.map { SQLBind($0) })
        if pending.count >= rowsPerStatement { try await flush() }
    }

    mutating func flush() async throws {
        guard !pending.isEmpty else { return }
        var builder = database.insert(into: table).columns(columns)
        for row in pending { builder = builder.values(row) }
        try await builder.run()
        inserted += pending.count
        pending.removeAll(keepingCapacity: true)
    }
}
