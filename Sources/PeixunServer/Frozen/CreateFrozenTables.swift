import Fluent
import Foundation
import PeixunCore
import SQLKit

struct CreateFrozenTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(FrozenTableModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("kind", .string, .required, .sql(raw: "CHECK (kind IN ('plan', 'summary'))"))
            .field("subject_id", .int, .required)
            .field("region_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("title", .string, .required)
            .field("approved_by", .string, .required)
            .field("approver_name", .string, .required)
            .field("approved_at", .datetime, .required)
            .field("grid", .string, .required)
            .field("payload", .string, .required)
            .field("reopened_at", .datetime)
            .field("reopened_by", .string)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(FrozenTableModel.schema).delete()
    }
}
