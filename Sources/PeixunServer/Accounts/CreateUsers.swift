import Fluent

struct CreateUsers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(UserModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("region_code", .string, .references(RegionModel.schema, "code"))
            .field("teacher_id", .int, .references(TeacherModel.schema, .id))
            .field("disabled", .bool, .required, .sql(.default(false)))
            .field("created_by", .int)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("password_changed_at", .datetime)
            .unique(on: "username")
            .create()
        try await database.schema(UserProjectModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("user_id", .int, .required, .references(UserModel.schema, .id, onDelete: .cascade))
            .field("project_id", .int, .required, .references(ProjectModel.schema, .id))
            .unique(on: "user_id", "project_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(UserProjectModel.schema).delete()
        try await database.schema(UserModel.schema).delete()
    }
}
