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
