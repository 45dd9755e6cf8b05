import Fluent
import PeixunCore

struct CreateProjects: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ProjectModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("level", .string, .required)
            .field("year", .int, .required)
            .field("end_year", .int, .required)
            .field("organiser", .string, .required)
            .field("region_code", .string, .references(RegionModel.schema, "code"))
            .unique(on: "name")
            .create()
        try await database.schema(ProjectPilotCountyModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("project_id", .int, .required, .references(ProjectModel.schema, .id, onDelete: .cascade))
            .field("region_code", .string, .required, .references(RegionModel.schema, "code"))
            .unique(on: "project_id", "region_code")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ProjectPilotCountyModel.schema).delete()
        try await database.schema(ProjectModel.schema).delete()
    }
}
