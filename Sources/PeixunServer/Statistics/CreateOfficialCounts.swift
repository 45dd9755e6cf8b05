import Fluent

struct CreateOfficialCounts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OfficialCountModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("county_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("city_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("stage", .string, .required)
            .field("school_year", .int, .required)
            .field("teachers", .int, .required)
            .unique(on: "county_code", "stage", "school_year")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OfficialCountModel.schema).delete()
    }
}
