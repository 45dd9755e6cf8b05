import Fluent
import Foundation

struct CreateTrainingRecords: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TrainingRecordModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("teacher_id", .int, .required, .references(TeacherModel.schema, .id))
            .field("project_id", .int, .required, .references(ProjectModel.schema, .id))
            .field("year", .int, .required)
            .field("result", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "teacher_id", "project_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(TrainingRecordModel.schema).delete()
    }
}
