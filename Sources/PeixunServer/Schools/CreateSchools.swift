import Fluent
import PeixunCore

struct CreateSchools: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SchoolModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("stage", .string, .required)
            .field("county_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("city_code", .string, .required, .references(RegionModel.schema, "code"))
            .unique(on: "county_code", "name")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SchoolModel.schema).delete()
    }
}
