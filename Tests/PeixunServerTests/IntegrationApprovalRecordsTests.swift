import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// The province's approval of a whole city (thousands of entries: more than one of SQLite's
/// chunks of 1,000, one array and one `COPY` on PostgreSQL) writes exactly one passed record per
/// teacher who had none, links each to its entry, moves `first_passed_year` only where the
/// records say so and leaves the rollups equal to a full rebuild; reopening undoes all of it.
@Suite struct IntegrationApprovalRecordsTests {
    struct Year: Decodable, Equatable { let id: Int; let kept: Int?; let computed: Int? }
    struct Count: Decodable { let n: Int }

    func count(_ app: Application, _ query: SQLQueryString) async throws -> Int {
        try #require(try await app.sql.raw("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM \(query)").first(decoding: Count.self)).n
    }

    /// Every teacher's `first_passed_year` beside the earliest passed record's year.
    func years(_ app: Application) async throws -> [Year] {
        try await app.sql.raw("""
            SELECT t.id, t.first_passed_year AS kept,
              (SELECT MIN(r.year) FROM training_records r WHERE r.teacher_id = t.id AND r.result = 'passed') AS computed
            FROM teachers t ORDER BY t.id
            """).all(decoding: Year.self)
    }

    func expectRollupsMatchARebuild(_ app: Application) async throws {
        struct Rollup: Decodable, Hashable { let school_id: Int; let stage: String; let first_passed_year: Int; let teachers: Int }
        struct CountyRollup: Decodable, Hashable { let county_code: String; let first_passed_year: Int; let teachers: Int }
        let schools: SQLQueryString = "SELECT school_id, stage, first_passed_year, teachers FROM progress_rollups"
        let counties: SQLQueryString = "SELECT county_code, first_passed_year, teachers FROM progress_county_rollups"
        let kept = (Set(try await app.sql.raw(schools).all(decoding: Rollup.self)), Set(try await app.sql.raw(counties).all(decoding: CountyRollup.self)))
        try await ProgressRollup.rebuild(on: app.sql)
        #expect(kept.0 == Set(try await app.sql.raw(schools).all(decoding: Rollup.self)))
        #expect(kept.1 == Set(try await app.sql.raw(counties).all(decoding: CountyRollup.self)))
    }

    /// A batch of the 中国移动 project, 2017, listing every teacher of the city with the most
    /// teachers (a tenth rejected), verified, every county and the city submitted.
    func submittedCity(_ app: Application) async throws -> (batch: Int, project: Int, city: String, teachers: Int, clock: FixedClock) {
        let clock = FixedClock(CivilDate(year: 2017, month: 10, day: 9)!, hour: 10)
        app.clock = clock
        let project = try #require(try await ProjectModel.query(on: app.db).filter(\.$name == "中国移动中小学教师信息技术能力培训").first()).id!
        let batch = IntegrationBatchModel()
        batch.projectID = project
        batch.year = 2017
        batch.deadline = "2017-09-30"
        batch.createdAt = clock.now()
        try await batch.create(on: app.db)
        let b = try batch.requireID()
        struct City: Decodable { let city_code: String; let n: Int }
        let city = try #require(try await app.sql.raw("""
            SELECT city_code, CAST(COUNT(*) AS BIGINT) AS n FROM teachers GROUP BY city_code ORDER BY COUNT(*) DESC, city_code LIMIT 1
            """).first(decoding: City.self))
        #expect(city.n > 1_000, "more than one of SQLite's chunks")
        // Every teacher of the city on the list; a tenth rejected, which the approval must leave alone.
        try await app.sql.raw("""
            INSERT INTO integration_entries (batch_id, county_code, city_code, sequence, name, resident_id, phone, school, status, added, certificate_no)
            SELECT \(bind: b), t.county_code, t.city_code, t.id, t.name, t.resident_id, t.mobile, s.name,
              CASE WHEN t.id % 10 = 0 THEN 'rejected' ELSE 'verified' END, \(bind: false), 'YD-2017'
            FROM teachers t JOIN schools s ON s.id = t.school_id WHERE t.city_code = \(bind: city.city_code)
            """).run()
        try await app.sql.raw("""
            INSERT INTO submissions (workflow, subject_id, region_code, level, state, late, updated_at)
            SELECT DISTINCT 'integration', batch_id, county_code, 'county', 'submitted', \(bind: false), \(bind: clock.now()) FROM integration_entries
            """).run()
        try await app.sql.raw("""
            INSERT INTO submissions (workflow, subject_id, region_code, level, state, late, updated_at)
            VALUES ('integration', \(bind: b), \(bind: city.city_code), 'city', 'submitted', \(bind: false), \(bind: clock.now()))
            """).run()

        return (b, project, city.city_code, city.n, clock)
    }

    @Test func approvingAndReopeningAWholeCityKeepsRecordsYearsAndRollupsExact() async throws {
        try await withTestApp(demo: .small) { app in
            let (b, project, cityCode, teachers, clock) = try await submittedCity(app)
            let city = (city_code: cityCode, n: teachers)
            let verified: SQLQueryString = "integration_entries e JOIN teachers t ON t.resident_id = e.resident_id WHERE e.status = 'verified'"
            let fresh = try await count(app, "\(verified) AND NOT EXISTS (SELECT 1 FROM training_records r WHERE r.teacher_id = t.id AND r.project_id = \(bind: project))")
            let recordsBefore = try await count(app, "training_records")
            let yearsBefore = try await years(app)
            #expect(fresh > 1_000 && fresh < city.n)

            let sheng = try await TestUsers.bearer(app, "sheng")
            try await app.testing().test(.POST, "/api/v1/integration/\(b)/approve", headers: sheng,
                                         beforeRequest: { try $0.content.encode(["city": city.city_code], as: .json) }) { response in
                #expect(response.status == .ok, "\(response.body.string)")
            }
            #expect(try await count(app, "training_records") == recordsBefore + fresh)
            #expect(try await count(app, "training_records WHERE project_id = \(bind: project) AND year = 2017 AND result = 'passed' AND created_at = \(bind: clock.now())") == fresh)
            #expect(try await count(app, "\(verified) AND NOT EXISTS (SELECT 1 FROM training_records r WHERE r.teacher_id = t.id AND r.project_id = \(bind: project))") == 0)
            // Each new record names the verified entry of its own teacher; no other record names one.
            #expect(try await count(app, "training_records WHERE integration_entry_id IS NOT NULL") == fresh)
            #expect(try await count(app, """
                training_records r JOIN integration_entries e ON e.id = r.integration_entry_id JOIN teachers t ON t.id = r.teacher_id
                WHERE e.status = 'verified' AND e.resident_id = t.resident_id AND r.project_id = \(bind: project) AND e.batch_id = \(bind: b)
                """) == fresh)
            let yearsAfter = try await years(app)
            #expect(yearsAfter.allSatisfy { $0.kept == $0.computed })
            #expect(yearsAfter != yearsBefore, "some teachers passed for the first time in 2017")
            try await expectRollupsMatchARebuild(app)
            let audit = try #require(try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "integration_batch").sort(\.$id, .descending).first())
            #expect(audit.summary.contains("新增培训记录 \(fresh) 条"), "\(audit.summary)")

            try await app.testing().test(.POST, "/api/v1/integration/\(b)/reopen", headers: sheng,
                                         beforeRequest: { try $0.content.encode(["city": city.city_code], as: .json) }) { response in
                #expect(response.status == .ok, "\(response.body.string)")
            }
            #expect(try await count(app, "training_records") == recordsBefore)
            #expect(try await count(app, "training_records WHERE integration_entry_id IS NOT NULL") == 0)
            #expect(try await years(app) == yearsBefore)
            try await expectRollupsMatchARebuild(app)
        }
    }

    @Test func anApprovalRefusedPartWayLeavesNothingBehind() async throws {
        try await withTestApp(demo: .small) { app in
            let (b, project, city, _, _) = try await submittedCity(app)
            let recordsBefore = try await count(app, "training_records")
            let yearsBefore = try await years(app)
            struct Teacher: Decodable { let id: Int }
            // A teacher two thirds down the city's list: the records' copy is well under way when it fails.
            let teachers = try await app.sql.raw("""
                SELECT t.id FROM teachers t JOIN integration_entries e ON e.resident_id = t.resident_id
                WHERE e.status = 'verified' AND NOT EXISTS (SELECT 1 FROM training_records r WHERE r.teacher_id = t.id AND r.project_id = \(bind: project)) ORDER BY e.id
                """).all(decoding: Teacher.self)
            try #require(teachers.count > 1_000)
            try await refuseInsert(into: "training_records", where: "teacher_id", is: String(teachers[teachers.count * 2 / 3].id), app)
            try await app.testing().test(.POST, "/api/v1/integration/\(b)/approve", headers: try await TestUsers.bearer(app, "sheng"),
                                         beforeRequest: { try $0.content.encode(["city": city], as: .json) }) { response in
                #expect(response.status != .ok)
            }
            #expect(try await count(app, "training_records") == recordsBefore)
            #expect(try await count(app, "training_records WHERE integration_entry_id IS NOT NULL") == 0)
            #expect(try await count(app, "submissions WHERE region_code = \(bind: city) AND state = 'submitted'") == 1)
            #expect(try await count(app, "audit_log WHERE object_type = 'integration_batch'") == 0)
            #expect(try await years(app) == yearsBefore)
            try await expectRollupsMatchARebuild(app)
        }
    }

    /// A database from before the link (the entries marked `record_created`) migrates to records
    /// that name their entries, and back; reopening after that still withdraws exactly the
    /// approval's records.
    @Test func theEntriesMarksBecomeTheRecordsLinksAndBack() async throws {
        try await withTestApp(demo: .small) { app in
            let (b, _, city, _, _) = try await submittedCity(app)
            let recordsBefore = try await count(app, "training_records")
            let sheng = try await TestUsers.bearer(app, "sheng")
            try await app.testing().test(.POST, "/api/v1/integration/\(b)/approve", headers: sheng,
                                         beforeRequest: { try $0.content.encode(["city": city], as: .json) }) { response in
                #expect(response.status == .ok, "\(response.body.string)")
            }
            struct Link: Decodable, Hashable { let id: Int; let integration_entry_id: Int }
            let linksQuery: SQLQueryString = "SELECT id, integration_entry_id FROM training_records WHERE integration_entry_id IS NOT NULL"
            let links = Set(try await app.sql.raw(linksQuery).all(decoding: Link.self))
            #expect(links.count > 1_000)

            // One handle for both: on SQLite each access to `app.db` may pick another event loop's
            // connection, whose cached schema can still have the column the revert dropped.
            let db = app.db
            try await LinkRecordsToEntries().revert(on: db)
            #expect(try await count(app, "integration_entries WHERE record_created = \(bind: true)") == links.count)
            try await LinkRecordsToEntries().prepare(on: db)
            #expect(Set(try await app.sql.raw(linksQuery).all(decoding: Link.self)) == links)

            try await app.testing().test(.POST, "/api/v1/integration/\(b)/reopen", headers: sheng,
                                         beforeRequest: { try $0.content.encode(["city": city], as: .json) }) { response in
                #expect(response.status == .ok, "\(response.body.string)")
            }
            #expect(try await count(app, "training_records") == recordsBefore)
        }
    }
}
