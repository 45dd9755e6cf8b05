import Fluent
import Foundation
import PeixunCore
import Vapor

struct CreateContacts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ContactModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("year", .int, .required)
            .field("region_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("department", .string, .required)
            .field("person", .string, .required)
            .field("title", .string, .required)
            .field("office_phone", .string, .required)
            .field("mobile", .string, .required)
            .field("email", .string, .required)
            .field("updated_by", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "year", "region_code")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ContactModel.schema).delete()
    }
}
