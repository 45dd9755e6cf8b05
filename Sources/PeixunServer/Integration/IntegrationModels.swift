import Fluent
import Foundation
import SQLKit

/// One cooperation project's qualified list for one year (分配名单), with its deadline.
final class IntegrationBatchModel: Model, @unchecked Sendable {
    static let schema = "integration_batches"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "project_id") var projectID: Int
    @Field(key: "year") var year: Int
    /// YYYY-MM-DD; 30 September of the year unless the province sets another.
    @Field(key: "deadline") var deadline: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A teacher on a batch's list, at its county (nil while it waits in the province's triage),
/// in the list's original order (`sequence`, per county); additions by the county come last.
final class IntegrationEntryModel: Model, @unchecked Sendable {
    static let schema = "integration_entries"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "batch_id") var batchID: Int
    @OptionalField(key: "county_code") var countyCode: String?
    @OptionalField(key: "city_code") var cityCode: String?
    @Field(key: "sequence") var sequence: Int
    @Field(key: "name") var name: String
    @Field(key: "resident_id") var residentID: String
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "school") var school: String?
    /// What the organiser's list said for the county, kept for triage.
    @OptionalField(key: "listed_county") var listedCounty: String?
    @Field(key: "status") var status: String
    @Field(key: "added") var added: Bool
    @OptionalField(key: "certificate_no") var certificateNumber: String?
    @OptionalField(key: "reason") var reason: String?
    @OptionalField(key: "note") var note: String?
    @OptionalField(key: "conflict") var conflict: String?
    @OptionalField(key: "verified_by") var verifiedBy: String?
    @OptionalField(key: "verified_at") var verifiedAt: Date?
    /// Set when the province's approval created this entry's training record (withdrawn on reopening).
    @Field(key: "record_created") var recordCreated: Bool

    init() {}
}

/// Where a county's or a city's part of a batch stood before the approval engine: the table
/// `CreateSubmissions` moves into `submissions` and drops. Only the migrations name it.
final class IntegrationSubmissionModel: Model, @unchecked Sendable {
    static let schema = "integration_submissions"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "batch_id") var batchID: Int
    @Field(key: "region_code") var regionCode: String
    @Field(key: "state") var state: String
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    @Field(key: "late") var late: Bool
    @OptionalField(key: "returned_reason") var returnedReason: String?
    @OptionalField(key: "updated_by") var updatedBy: String?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

struct CreateIntegrationTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(IntegrationBatchModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("project_id", .int, .required, .references(ProjectModel.schema, .id))
            .field("year", .int, .required)
            .field("deadline", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "project_id", "year")
            .create()
        try await database.schema(IntegrationEntryModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("batch_id", .int, .required, .references(IntegrationBatchModel.schema, .id))
            .field("county_code", .string, .references(RegionModel.schema, "code"))
            .field("city_code", .string, .references(RegionModel.schema, "code"))
            .field("sequence", .int, .required)
            .field("name", .string, .required)
            .field("resident_id", .string, .required)
            .field("phone", .string)
            .field("school", .string)
            .field("listed_county", .string)
            .field("status", .string, .required)
            .field("added", .bool, .required)
            .field("certificate_no", .string)
            .field("reason", .string)
            .field("note", .string)
            .field("conflict", .string)
            .field("verified_by", .string)
            .field("verified_at", .datetime)
            .unique(on: "batch_id", "resident_id")
            .create()
        try await database.schema(IntegrationSubmissionModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("batch_id", .int, .required, .references(IntegrationBatchModel.schema, .id))
            .field("region_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("state", .string, .required)
            .field("submitted_at", .datetime)
            .field("late", .bool, .required)
            .field("returned_reason", .string)
            .field("updated_by", .string)
            .field("updated_at", .datetime, .required)
            .unique(on: "batch_id", "region_code")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "integration_entries_county").on(IntegrationEntryModel.schema).column("batch_id").column("county_code").column("sequence").run()
        try await sql.create(index: "integration_entries_city").on(IntegrationEntryModel.schema).column("batch_id").column("city_code").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(IntegrationSubmissionModel.schema).delete()
        try await database.schema(IntegrationEntryModel.schema).delete()
        try await database.schema(IntegrationBatchModel.schema).delete()
    }
}

/// Which entries' records an approval created, so that reopening withdraws exactly those.
struct AddEntryRecordCreated: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(IntegrationEntryModel.schema).field("record_created", .bool, .required, .sql(.default(false))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(IntegrationEntryModel.schema).deleteField("record_created").update()
    }
}

/// The county and city indexes of the entries, extended so that the worklists, overviews and
/// dashboards count a batch's entries from the index alone (a province's list is 200,000
/// entries: 94 ms → 49 ms per pass on SQLite). Replaced rather than added beside: with a second
/// covering index on (batch, city) SQLite chose it for county pages too and scanned the whole
/// batch (28 → 71 ms for 锦江区).
struct CreateEntryFiguresIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.drop(index: "integration_entries_county").run()
        try await sql.drop(index: "integration_entries_city").run()
        try await sql.create(index: "integration_entries_county_figures").on(IntegrationEntryModel.schema)
            .column("batch_id").column("county_code").column("sequence").column("status").column("added").column("conflict").run()
        try await sql.create(index: "integration_entries_city_figures").on(IntegrationEntryModel.schema)
            .column("batch_id").column("city_code").column("county_code").column("status").column("added").column("conflict").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.drop(index: "integration_entries_county_figures").run()
        try await sql.drop(index: "integration_entries_city_figures").run()
        try await sql.create(index: "integration_entries_county").on(IntegrationEntryModel.schema).column("batch_id").column("county_code").column("sequence").run()
        try await sql.create(index: "integration_entries_city").on(IntegrationEntryModel.schema).column("batch_id").column("city_code").run()
    }
}
