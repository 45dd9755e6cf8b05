import Fluent
import SQLKit

/// How many teachers of a school and stage first passed a training in a given year
/// (`first_passed_year` 0: not yet). The progress report sums these few tens of thousands
/// of rows instead of scanning two million records; `ProgressRollup` keeps it in step.
struct CreateProgressRollups: AsyncMigration {
    static let schema = "progress_rollups"

    func prepare(on database: any Database) async throws {
        try await database.schema(Self.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("school_id", .int, .required, .references(SchoolModel.schema, .id))
            .field("county_code", .string, .required)
            .field("city_code", .string, .required)
            .field("stage", .string, .required)
            .field("first_passed_year", .int, .required)
            .field("teachers", .int, .required)
            .unique(on: "school_id", "stage", "first_passed_year")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Self.schema).delete()
    }
}

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
