import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

@Suite struct ApprovalServiceTests {
    /// The rows of the table the integration used before the engine move to `submissions`
    /// with their workflow, level and every field, and the old table is gone.
    @Test func theMigrationMovesIntegrationSubmissions() async throws {
        try await withTestApp(demo: .small) { app in
            let batch = try await makeIntegrationBatch(app)
            // Back to the schema before the move, with two rows in the old table.
            try await app.db.schema(SubmissionModel.schema).delete()
            try await app.db.schema(IntegrationSubmissionModel.schema)
                .field(.id, .int, .identifier(auto: true))
                .field("batch_id", .int, .required).field("region_code", .string, .required).field("state", .string, .required)
                .field("submitted_at", .datetime).field("late", .bool, .required).field("returned_reason", .string)
                .field("updated_by", .string).field("updated_at", .datetime, .required)
                .create()
            let submitted = Date(timeIntervalSince1970: 1_475_000_000)
            for (region, state, late, reason) in [("510104", "submitted", true, nil), ("510100", "returned", false, "人数不符")] {
                let row = IntegrationSubmissionModel()
                row.batchID = batch.id!
                row.regionCode = region
                row.state = state
                row.submittedAt = submitted
                row.late = late
                row.returnedReason = reason
                row.updatedBy = "chengdu"
                row.updatedAt = submitted
                try await row.create(on: app.db)
            }
            try await CreateSubmissions().prepare(on: app.db)
            let moved = try await SubmissionModel.query(on: app.db).sort(\.$regionCode).all()
            #expect(moved.map(\.regionCode) == ["510100", "510104"])
            #expect(moved.map(\.workflow) == ["integration", "integration"] && moved.allSatisfy { $0.subjectID == batch.id! })
            #expect(moved.map(\.level) == ["city", "county"])
            #expect(try moved.map { try $0.state() } == [.returned, .submitted])
            #expect(moved.map(\.late) == [false, true] && moved[0].returnedReason == "人数不符" && moved[1].updatedBy == "chengdu")
            #expect(moved[1].submittedAt.map { abs($0.timeIntervalSince(submitted)) < 1 } == true)
            await #expect(throws: (any Error).self) {
                try await app.sql.raw("SELECT COUNT(*) FROM integration_submissions").run()
            }
        }
    }

    /// The database refuses a state the code does not know; one that got in anyway is an
    /// error that names its row, never quietly read as open.
    @Test func anUnknownStoredStateIsAnErrorNamingTheRow() async throws {
        try await withTestApp { app in
            await #expect(throws: (any Error).self) {
                try await app.sql.raw("""
                    INSERT INTO submissions (workflow, subject_id, region_code, level, state, late, updated_at)
                    VALUES ('integration', 1, '510104', 'county', 'done', \(bind: false), \(bind: Date()))
                    """).run()
            }
            let row = SubmissionModel()
            row.id = 7
            row.workflow = "integration"
            row.regionCode = "510104"
            row.storedState = "done"
            #expect(throws: AppError.self) { try row.state() }
            do { _ = try row.state() } catch let error as AppError {
                #expect(error.reason.contains("第 7 行") && error.reason.contains("done"))
            }
        }
    }

    /// Lateness follows the app's clock: set the date, submit, and the flag says so.
    @Test func lateSubmissionsAreFlaggedByTheClock() async throws {
        try await withTestApp(demo: .small) { app in
            let batch = try await makeIntegrationBatch(app)
            let clock = FixedClock(CivilDate(year: 2016, month: 9, day: 30)!, hour: 23)
            app.clock = clock
            let county = try #require(try await UserModel.query(on: app.db).filter(\.$username == "jinjiang").first())
            let service = ApprovalService(hooks: IntegrationApproval(regions: app.regions, clock: app.clock), regions: app.regions,
                                          user: try CurrentUser(county, channel: .token, regions: app.regions), actor: .commandLine, clock: app.clock)
            let jinjiang = app.regions.region(code: "510104")!
            try await app.db.transaction { db in try await service.apply(.submit, to: jinjiang, subject: batch.id!, on: db) }
            var row = try #require(try await SubmissionModel.query(on: app.db).filter(\.$regionCode == "510104").first())
            #expect(try row.state() == .submitted && !row.late, "the last day is on time")

            let city = try #require(try await UserModel.query(on: app.db).filter(\.$username == "chengdu").first())
            let cityService = ApprovalService(hooks: IntegrationApproval(regions: app.regions, clock: app.clock), regions: app.regions,
                                              user: try CurrentUser(city, channel: .token, regions: app.regions), actor: .commandLine, clock: app.clock)
            try await app.db.transaction { db in try await cityService.apply(.sendBack(reason: "人数不符"), to: jinjiang, subject: batch.id!, on: db) }
            clock.set(clock.now().addingTimeInterval(3_600 * 2))
            try await app.db.transaction { db in try await service.apply(.submit, to: jinjiang, subject: batch.id!, on: db) }
            row = try #require(try await SubmissionModel.query(on: app.db).filter(\.$regionCode == "510104").first())
            #expect(try row.state() == .submitted && row.late, "one day after: flagged late, not refused")
            let audit = try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "integration_batch").sort(\.$id).all()
            #expect(audit.map(\.action) == ["submit", "reject", "submit"])
            #expect(audit.last?.summary.contains("逾期") == true)
        }
    }
}
