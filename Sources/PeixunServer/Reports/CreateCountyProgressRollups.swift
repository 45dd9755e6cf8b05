import Fluent
import SQLKit

/// The same figures summed per county (183 × a few years): what the province and city
/// reports read, so that they touch a few thousand rows instead of a hundred thousand.
struct CreateCountyProgressRollups: AsyncMigration {
    static let schema = "progress_county_rollups"

    func prepare(on database: any Database) async throws {
        try await database.schema(Self.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("county_code", .string, .required)
            .field("city_code", .string, .required)
            .field("first_passed_year", .int, .required)
            .field("teachers", .int, .required)
            .unique(on: "county_code", "first_passed_year")
            .create()
        try await (database as! any SQLDatabase).create(index: "county_rollups_city")
            .on(Self.schema).column("city_code").column("first_passed_year").column("teachers").run()
        try await ProgressRollup.rebuild(on: database as! any SQLDatabase)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Self.schema).delete()
    }
}
