import Fluent
import Foundation
import PeixunCore

struct CreateTimelinessTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TaskDeadlineModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("task", .string, .required)
            .field("year", .int, .required)
            .field("deadline", .string, .required)
            .field("updated_by", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "task", "year")
            .create()
        try await database.schema(ReminderModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("task", .string, .required)
            .field("year", .int, .required)
            .field("region_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("message", .string, .required)
            .field("sent_by", .string, .required)
            .field("sent_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ReminderModel.schema).delete()
        try await database.schema(TaskDeadlineModel.schema).delete()
    }
}
