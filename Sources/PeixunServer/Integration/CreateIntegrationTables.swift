import Fluent
import Foundation
import SQLKit

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
