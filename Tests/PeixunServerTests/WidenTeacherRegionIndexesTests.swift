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
            // One database handle: on SQLite each access to `app.db` may pick another event loop's
            // connection, whose cached schema can miss the DDL just run on the first.
            let db = app.db
            let sql = db as! any SQLDatabase
            try await WidenTeacherRegionIndexes().revert(on: db)
            #expect(try await columns("teachers_county", sql) == ["county_code"])
            try await WidenTeacherRegionIndexes().prepare(on: db)
            #expect(try await columns("teachers_county", sql) == ["county_code", "id"])
            #expect(try await columns("teachers_city", sql) == ["city_code", "county_code", "id"])
            #expect(try await columns("teachers_county_replacing", sql).isEmpty)
            // Run again (a migration cut short and retried): the same end.
            try await WidenTeacherRegionIndexes().prepare(on: db)
            #expect(try await columns("teachers_county", sql) == ["county_code", "id"])
        }
    }

    /// The school index without the first passed year (and, on PostgreSQL, room on each page),
    /// from a database that had the old one; run twice, the same end; reverted, the old one back.
    @Test func theSchoolIndexLeavesTheFirstPassedYearOut() async throws {
        try await withTestApp(users: false) { app in
            // One database handle: on SQLite each access to `app.db` may pick another event loop's
            // connection, whose cached schema can miss the DDL just run on the first.
            let db = app.db
            let sql = db as! any SQLDatabase
            try await IndexTeachersBySchoolAlone().revert(on: db)
            #expect(try await columns("teachers_school_passed", sql) == ["school_id", "first_passed_year"])
            #expect(try await columns("teachers_school", sql).isEmpty)
            for _ in 0..<2 {
                try await IndexTeachersBySchoolAlone().prepare(on: db)
                #expect(try await columns("teachers_school", sql) == ["school_id"])
                #expect(try await columns("teachers_school_passed", sql).isEmpty)
            }
            if sql.dialect.name == "postgresql" {
                struct Options: Decodable { let options: [String]? }
                let options = try await sql.raw("SELECT reloptions AS options FROM pg_class WHERE oid = 'teachers'::regclass")
                    .first(decoding: Options.self)?.options
                #expect(options == ["fillfactor=90"])
            }
            // The list bulk loads rebuild from agrees with the migrated database.
            #expect(CreateIndexes.indexes.contains { $0.name == "teachers_school" && $0.columns == ["school_id"] })
        }
    }

    /// The entries' county index in the worklist's order, from the one before; run twice, the
    /// same end; a county's first page is read off it, not sorted.
    @Test func theCountyEntriesIndexIsInTheWorklistsOrder() async throws {
        try await withTestApp(users: false) { app in
            // One database handle: on SQLite each access to `app.db` may pick another event loop's
            // connection, whose cached schema can miss the DDL just run on the first.
            let db = app.db
            let sql = db as! any SQLDatabase
            /// Whether SQLite sorts a county's page rather than reading it off an index (PostgreSQL
            /// decides by its statistics; bench/README.md has its plans).
            func sortsThePage() async throws -> Bool {
                struct Step: Decodable { let detail: String }
                return try await sql.raw("""
                    EXPLAIN QUERY PLAN SELECT e.id FROM integration_entries e WHERE e.batch_id = 1 AND e.county_code = '510104'
                    ORDER BY e.added, e.sequence LIMIT 100
                    """).all(decoding: Step.self).contains { $0.detail.contains("TEMP B-TREE") }
            }
            let sqlite = sql.dialect.name == "sqlite"
            try await OrderCountyEntriesIndex().revert(on: db)
            #expect(try await columns(OrderCountyEntriesIndex.name, sql) == ["batch_id", "county_code", "sequence", "status", "added", "conflict"])
            if sqlite { #expect(try await sortsThePage()) }
            for _ in 0..<2 {
                try await OrderCountyEntriesIndex().prepare(on: db)
                #expect(try await columns(OrderCountyEntriesIndex.name, sql) == OrderCountyEntriesIndex.columns)
                #expect(try await columns(OrderCountyEntriesIndex.name + "_replacing", sql).isEmpty)
            }
            if sqlite { #expect(try await !sortsThePage()) }
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
