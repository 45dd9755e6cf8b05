import Fluent
import FluentSQLiteDriver
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// A roster imported into an empty registry: on SQLite its rows are staged in a temporary
/// table while the file is read and reach `teachers` in one statement (`RosterStaging`).
extension TeacherImportTests {
    @Test func aFirstLoadWritesOnlyWhatPassedEveryCheck() async throws {
        try await withTestApp { app in
            let directory = NSTemporaryDirectory() + "peixun-import-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let people = ids(5)
            let url = try csv([
                "锦江区,锦江区实验小学,中小学,张伟,\(people[0]),13800138000,,",
                "锦江区,锦江区实验小学,,李娜,\(people[1]),,,",
                "锦江区,锦江区新建小学,,王芳,\(people[2]),,,",
                "锦江区,锦江区新建小学,中小学,刘洋,\(people[3]),,,",
                "锦江区,锦江区实验小学,中小学,陈静,110105194912310021,,,",
                "锦江区,锦江区实验小学,中小学,张伟,\(people[0]),,,",
                "青羊区,青羊区职业高级中学,中职,杨帆,\(people[4]),,,",
            ], in: directory)
            var options = TeacherImporter.Options()
            options.createSchools = true
            options.dryRun = false

            let refused = try await importer(app).run(url: url, fileName: "roster.csv", options: options).report
            let codes = Dictionary(grouping: refused.errors, by: \.row).mapValues { $0.map(\.code) }
            #expect(codes == [4: ["stage.invalid"], 6: ["id.checksum"], 7: ["id.duplicate_in_file"]])
            #expect(!refused.committed)
            #expect(try await TeacherModel.query(on: app.db).count() == 0)
            #expect(try await SchoolModel.query(on: app.db).count() == 0)
            try await expectConnectionsAsTheyWere(app)

            options.skipInvalid = true
            let partial = try await importer(app).run(url: url, fileName: "roster.csv", options: options).report
            #expect(partial.committed && partial.created == 4 && partial.valid == 4)
            let teachers = try await TeacherModel.query(on: app.db).with(\.$school).all()
            let byName = Dictionary(uniqueKeysWithValues: teachers.map { ($0.name, $0) })
            #expect(byName.keys.sorted() == ["刘洋", "张伟", "李娜", "杨帆"])
            #expect(byName["张伟"]?.mobile == "13800138000" && byName["张伟"]?.residentID == people[0])
            #expect(byName["李娜"]?.stage == Stage.primarySecondary.rawValue, "stage from the school")
            #expect(byName["刘洋"]?.school.name == "锦江区新建小学" && byName["刘洋"]?.school.stage == Stage.primarySecondary.rawValue)
            #expect(byName["杨帆"].map { ($0.countyCode, $0.cityCode, $0.stage, $0.school.countyCode) }
                    ?? ("", "", "", "") == ("510105", "510100", Stage.vocational.rawValue, "510105"))
            // Rows go in in ID order: the unique index only appends.
            #expect(teachers.sorted { $0.id! < $1.id! }.map(\.residentID) == teachers.map(\.residentID).sorted())
            #expect(try await report(app, region: "510104").total.total == 3)
            #expect(try await report(app, region: "510105").total.total == 1)
            if app.db is any SQLiteDatabase {
                #expect(try await app.sql.raw("PRAGMA foreign_key_check").all().isEmpty)
            }
            try await expectConnectionsAsTheyWere(app)

            // Imported again (no longer a first load): the four are unchanged, and 王芳 now
            // finds her school, which the first import created with its stage.
            let again = try await importer(app).run(url: url, fileName: "roster.csv", options: options).report
            #expect(again.created == 1 && again.unchanged == 4 && again.updated == 0)
        }
    }

    @Test func aFirstLoadThatFailsAtItsLastRowLeavesNothingBehind() async throws {
        try await withTestApp { app in
            let directory = NSTemporaryDirectory() + "peixun-import-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let people = ids(300)
            let url = try csv(people.enumerated().map { "锦江区,锦江区第\($0.offset % 7)小学,中小学,\(teacherName($0.offset)),\($0.element),,," }, in: directory)
            // The database refuses the row that goes in last (the largest ID).
            let last = people.max()!
            try await refuseInsert(into: "teachers", where: "resident_id", is: last, app)
            try await expectRefusedWithoutTrace(url, app)
            #expect(try await report(app, region: "510104").total.total == 0)
        }
    }

    /// A first load big enough that the importer sets the registry's keys and indexes aside
    /// (`BulkLoadConstraints`; on PostgreSQL the foreign keys too) and puts them back
    /// before it commits.
    @Test func aBulkFirstLoadRefusedLateLeavesTheRegistryAndItsKeysAsTheyWere() async throws {
        try await withTestApp { app in
            let directory = NSTemporaryDirectory() + "peixun-import-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let count = TeacherImporter.indexRebuildThreshold + 1
            let people = manyIDs(count)
            let url = try csv(people.enumerated().map { "锦江区,锦江区第\($0.offset % 50)小学,中小学,\(teacherName($0.offset)),\($0.element),,," }, in: directory)
            let keysBefore = try await keysAndIndexes(app)
            #expect(keysBefore.contains("teachers_name"))
            #expect(app.db is any SQLiteDatabase || keysBefore.contains("uq:teachers.resident_id"))
            // The database refuses the row that goes in last, after the keys were set aside.
            try await refuseInsert(into: "teachers", where: "resident_id", is: people.max()!, app)
            try await expectRefusedWithoutTrace(url, app)
            #expect(try await keysAndIndexes(app) == keysBefore, "the keys and indexes set aside are back")

            // The same file without the refusal loads, and its keys hold afterwards.
            try await app.sql.raw("DROP TRIGGER refuse_insert\(unsafeRaw: app.db is any SQLiteDatabase ? "" : " ON teachers")").run()
            let loaded = try await importer(app).run(url: url, fileName: "roster.csv", options: firstLoad).report
            #expect(loaded.committed && loaded.created == count)
            #expect(try await keysAndIndexes(app) == keysBefore)
            let duplicate = await #expect(throws: (any Error).self) {
                try await app.sql.raw("""
                    INSERT INTO teachers (resident_id, name, school_id, stage, county_code, city_code)
                    SELECT resident_id, name, school_id, stage, county_code, city_code FROM teachers WHERE resident_id = \(bind: people[0])
                    """).run()
            }
            #expect(String(reflecting: duplicate).lowercased().contains("unique"), "the unique key on resident_id is back")
        }
    }

    /// A committing import that creates schools.
    var firstLoad: TeacherImporter.Options {
        var options = TeacherImporter.Options()
        options.createSchools = true
        options.dryRun = false
        return options
    }

    /// Imports `url` into the empty registry expecting the database to refuse it part-way:
    /// no teacher, school or audit entry may be left, nor a staging table.
    func expectRefusedWithoutTrace(_ url: URL, _ app: Application) async throws {
        await #expect(throws: (any Error).self) {
            try await importer(app).run(url: url, fileName: "roster.csv", options: firstLoad)
        }
        #expect(try await TeacherModel.query(on: app.db).count() == 0)
        #expect(try await SchoolModel.query(on: app.db).count() == 0)
        #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action == "import").count() == 0)
        #expect(try await temporaryTables(app) == 0, "no staging table left behind")
        try await expectConnectionsAsTheyWere(app)
    }

    /// `count` valid, distinct IDs of people born in 1980 in 锦江区 (900 a day).
    func manyIDs(_ count: Int) -> [String] {
        (0..<count).map { index in
            let day = index / 900
            return ResidentID.completing(body: String(format: "5101041980%02d%02d%03d", 1 + day / 28, 1 + day % 28, 100 + index % 900)).value
        }
    }

    /// The names of the keys and indexes of the tables bulk loads write.
    private func keysAndIndexes(_ app: Application) async throws -> [String] {
        struct Name: Decodable { let name: String }
        let tables = SQLList(BulkLoadConstraints.tables.map { SQLLiteral.string($0) })
        let query: SQLQueryString = app.db is any SQLiteDatabase
            ? "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN (\(tables))"
            : """
              SELECT conname AS name FROM pg_constraint WHERE conrelid IN (SELECT to_regclass(t) FROM unnest(ARRAY[\(tables)]) t)
              UNION ALL SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN (\(tables))
              """
        return try await app.sql.raw(query).all(decoding: Name.self).map(\.name).sorted()
    }

    private func temporaryTables(_ app: Application) async throws -> Int {
        struct Count: Decodable { let n: Int }
        let query: SQLQueryString = app.db is any SQLiteDatabase
            ? "SELECT COUNT(*) AS n FROM sqlite_temp_master"
            : "SELECT COUNT(*) AS n FROM pg_class WHERE relpersistence = 't' AND relname LIKE 'teacher_roster%'"
        return try await app.sql.raw(query).first(decoding: Count.self)?.n ?? -1
    }

    /// The staged load borrows a pooled connection: afterwards no connection may keep its
    /// temporary tables, their journal switched off, or foreign keys off. Asked often enough
    /// to reach every connection.
    func expectConnectionsAsTheyWere(_ app: Application) async throws {
        guard let sqlite = app.db as? any SQLiteDatabase else { return }
        for _ in 0..<16 {
            let keys = try await sqlite.query("PRAGMA foreign_keys", []).first?.column("foreign_keys")?.integer
            #expect(keys == 1)
            let temporary = try await sqlite.query("SELECT COUNT(*) AS n FROM sqlite_temp_master", []).first?.column("n")?.integer
            #expect(temporary == 0)
            let journal = try await sqlite.query("PRAGMA temp.journal_mode", []).first?.column("journal_mode")?.string
            #expect(journal == "delete")
        }
    }
}

/// A trigger (`refuse_insert`) that makes the database refuse a row of `table` whose `column`
/// equals `value`, as a write that fails part-way through a load.
func refuseInsert(into table: String, where column: String, is value: String, _ app: Application) async throws {
    if app.db is any SQLiteDatabase {
        try await app.sql.raw("""
            CREATE TRIGGER refuse_insert BEFORE INSERT ON \(unsafeRaw: table) WHEN CAST(NEW.\(unsafeRaw: column) AS TEXT) = '\(unsafeRaw: value)'
            BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
            """).run()
    } else {
        try await app.sql.raw("""
            CREATE FUNCTION refuse_insert() RETURNS trigger AS $$ BEGIN
            IF NEW.\(unsafeRaw: column)::text = '\(unsafeRaw: value)' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW;
            END $$ LANGUAGE plpgsql
            """).run()
        try await app.sql.raw("CREATE TRIGGER refuse_insert BEFORE INSERT ON \(unsafeRaw: table) FOR EACH ROW EXECUTE FUNCTION refuse_insert()").run()
    }
}
