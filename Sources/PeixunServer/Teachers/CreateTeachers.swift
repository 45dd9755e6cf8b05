import Fluent
import Foundation

struct CreateTeachers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TeacherModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("resident_id", .string, .required)
            .field("name", .string, .required)
            .field("mobile", .string)
            .field("school_id", .int, .required, .references(SchoolModel.schema, .id))
            .field("stage", .string, .required)
            .field("county_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("city_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("first_passed_year", .int)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "resident_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(TeacherModel.schema).delete()
    }
}
