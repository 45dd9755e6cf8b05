import Foundation
import NIOCore
import SQLKit
import Testing
@testable import PeixunServer

/// The bulk writer of big loads: multi-row INSERTs on SQLite, COPY FROM STDIN on PostgreSQL.
/// Whatever the database, what is read back is what was written.
@Suite struct BulkInsertTests {
    @Test func copyTextEscapesWhatWouldEndAValue() {
        var buffer = ByteBuffer()
        PostgresCopy.writeEscaped("a\\b\tc\nd\re 𠇔", to: &buffer)
        #expect(buffer.readString(length: buffer.readableBytes) == "a\\\\b\\tc\\nd\\re 𠇔")
    }

    @Test func copyTimestampsAreUTCWithMicroseconds() {
        #expect(PostgresCopy.timestampText(Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00:00.000000+00")
        #expect(PostgresCopy.timestampText(Date(timeIntervalSince1970: 1_796_299_200.123456)) == "2026-12-03 12:00:00.123456+00")
        #expect(PostgresCopy.timestampText(Date(timeIntervalSince1970: -0.5)) == "1969-12-31 23:59:59.500000+00")
    }

    /// Pipelined: each megabyte goes while the next is written out, and none is lost or reordered.
    @Test(arguments: [false, true]) func rowsReadBackAsWritten(pipelined: Bool) async throws {
        try await withTestApp(users: false) { app in
            try await app.sql.create(table: "bulk_probe")
                .column("id", type: .bigint, .primaryKey(autoIncrement: false))
                .column("label", type: .text)
                .column("amount", type: .bigint)
                .column("flag", type: .custom(SQLRaw("BOOLEAN")))
                .column("at", type: .custom(SQLRaw(app.sql.dialect.name == "sqlite" ? "REAL" : "TIMESTAMPTZ")))
                .run()
            let moment = Date(timeIntervalSince1970: 1_796_299_200.25)
            let labels = ["王小明", "back\\slash", "tab\there", "line\nbreak", "", "㛃䶮𠇔", String(repeating: "长", count: 3_000)]
            // Enough rows to cross the writer's flush size several times.
            let rows = 9_000
            var insert = PlainBulkInsert(into: "bulk_probe", columns: ["id", "label", "amount", "flag", "at"], on: app.db, pipelined: pipelined)
            for id in 0..<rows {
                try await insert.append([.integer(id), id % 11 == 10 ? .null : .text(labels[id % labels.count]),
                                         .integer(id * 1_000_003 - 5), .bool(id % 2 == 0), .date(moment)])
            }
            try await insert.flush()
            #expect(insert.inserted == rows)
            struct Row: Decodable { let id: Int; let label: String?; let amount: Int; let flag: Bool; let at: Date }
            let read = try await app.sql.select().columns("id", "label", "amount", "flag", "at").from("bulk_probe")
                .orderBy("id").all(decoding: Row.self)
            #expect(read.count == rows)
            for row in read {
                #expect(row.label == (row.id % 11 == 10 ? nil : labels[row.id % labels.count]), "row \(row.id)")
                #expect(row.amount == row.id * 1_000_003 - 5)
                #expect(row.flag == (row.id % 2 == 0))
                #expect(abs(row.at.timeIntervalSince(moment)) < 0.000_002)
            }
        }
    }
}
