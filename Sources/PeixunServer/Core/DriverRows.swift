import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import SQLKit

/// Rows of integers and texts read from the drivers' own values, for statements that read tens
/// of thousands of rows: SQLKit's Codable row decoder costs about 2 µs a field (a city's
/// approval: 20,000–130,000 entries and as many teachers, more time than its statements).
enum DriverRows {
    enum Cell: Sendable, Equatable {
        case integer(Int)
        case text(String)
        case null

        var integer: Int? { if case .integer(let value) = self { value } else { nil } }
        var text: String? { if case .text(let value) = self { value } else { nil } }
    }

    enum Bind: Sendable {
        case integer(Int)
        case text(String)
        /// One array on PostgreSQL (`= ANY($n)`); SQLite has no arrays, so its statements take
        /// lists as single binds — see `inList`.
        case texts([String])
    }

    /// Runs `postgres` on PostgreSQL and `sqlite` on SQLite (each with its own placeholders:
    /// `$1…` and `?`), returning every row's cells in column order.
    static func all(postgres: String, sqlite: String, binds: [Bind], on database: any Database) async throws -> [[Cell]] {
        if let connection = database as? any SQLiteDatabase {
            var values: [SQLiteData] = []
            for bind in binds {
                switch bind {
                case .integer(let value): values.append(.integer(value))
                case .text(let value): values.append(.text(value))
                case .texts(let list): values += list.map(SQLiteData.text)
                }
            }
            return try await connection.query(sqlite, values).get().map { row in
                row.columns.map { column in
                    switch column.data {
                    case .integer(let value): .integer(value)
                    case .text(let value): .text(value)
                    case .float(let value): .integer(Int(value))
                    case .blob, .null: .null
                    }
                }
            }
        }
        guard let pool = database as? any PostgresDatabase else { preconditionFailure("neither SQLite nor PostgreSQL") }
        let logger = database.logger
        var bindings = PostgresBindings()
        for bind in binds {
            switch bind {
            case .integer(let value): bindings.append(value)
            case .text(let value): bindings.append(value)
            case .texts(let list): bindings.append(list)
            }
        }
        let query = PostgresQuery(unsafeSQL: postgres, binds: bindings)
        return try await pool.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                var result: [[Cell]] = []
                for try await row in try await connection.query(query, logger: logger) {
                    var cells: [Cell] = []
                    for cell in row {
                        if cell.bytes == nil {
                            cells.append(.null)
                        } else if [.int2, .int4, .int8].contains(cell.dataType) {
                            cells.append(.integer(try cell.decode(Int.self)))
                        } else {
                            cells.append(.text(try cell.decode(String.self)))
                        }
                    }
                    result.append(cells)
                }
                return result
            }
        }.get()
    }

    /// `?, ?, …` for a list bound one value at a time on SQLite.
    static func inList(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}
