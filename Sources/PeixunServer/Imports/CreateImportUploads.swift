import Fluent
import Foundation

struct CreateImportUploads: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ImportUploadModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("user_id", .int, .required, .references(UserModel.schema, .id, onDelete: .cascade))
            .field("kind", .string, .required)
            .field("file_name", .string, .required)
            .field("sha256", .string, .required)
            .field("content", .data, .required)
            .field("create_schools", .bool, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ImportUploadModel.schema).delete()
    }
}
