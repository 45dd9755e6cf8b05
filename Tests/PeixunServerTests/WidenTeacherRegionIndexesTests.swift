import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// The migration that widens the teachers' county and city indexes to the registry's order,
/// run on a database that still had the narrow ones: the indexes end as `CreateIndexes` defines
/// them, under their own names, and nothing built on the way is left behind.
@Suite struct WidenTeacherRegionIndexesTests {
    @Test func theNarrowIndexesBecomeTheWideOnesUnderTheirNames() async throws {
        try await withTestApp(users: false) { app in
            let sql = app.db as! any SQLDatabase
            try await WidenTeacherRegionIndexes().revert(on: app.db)
            #expect(try await columns("teachers_county", sql) == ["county_code"])
            try await WidenTeacherRegionIndexes().prepare(on: app.db)
            #expect(try await columns("teachers_county", sql) == ["county_code", "id"])
            #expect(try await columns("teachers_city", sql) == ["city_code", "county_code", "id"])
            #expect(try await columns("teachers_county_widened", sql).isEmpty)
            // Run again (a migration cut short and retried): the same end.
            try await WidenTeacherRegionIndexes().prepare(on: app.db)
            #expect(try await columns("teachers_county", sql) == ["county_code", "id"])
        }
    }

    /// The index's columns in order; empty when there is no such index.
    private func columns(_ index: String, _ sql: any SQLDatabase) async throws -> [String] {
        struct Column: Decodable { let name: String }
        if sql.dialect.name == "postgresql" {
            return try await sql.raw("""
                SELECT a.attname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position) ON TRUE
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                WHERE c.relname = \(bind: index) AND c.relnamespace = to_regnamespace(current_schema())::oid
                ORDER BY k.position
                """).all(decoding: Column.self).map(\.name)
        }
        return try await sql.raw("SELECT name FROM pragma_index_info(\(bind: index)) ORDER BY seqno").all(decoding: Column.self).map(\.name)
    }
}
