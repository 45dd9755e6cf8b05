import Fluent
import Foundation

/// An uploaded file between its preview and its commit, kept in the database so that the
/// commit may reach any app instance. Removed after the commit, or after a day.
final class ImportUploadModel: Model, @unchecked Sendable {
    static let schema = "import_uploads"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "user_id") var userID: Int
    @Field(key: "kind") var kind: String
    @Field(key: "file_name") var fileName: String
    @Field(key: "sha256") var sha256: String
    @Field(key: "content") var content: Data
    @Field(key: "create_schools") var createSchools: Bool
    @OptionalField(key: "school_year") var schoolYear: Int?
    @OptionalField(key: "project_id") var projectID: Int?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

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

/// The school year an official-count upload is for, chosen on the upload form.
struct AddUploadSchoolYear: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ImportUploadModel.schema).field("school_year", .int).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ImportUploadModel.schema).deleteField("school_year").update()
    }
}

/// The cooperation project a qualified-list upload is for.
struct AddUploadProject: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ImportUploadModel.schema).field("project_id", .int).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ImportUploadModel.schema).deleteField("project_id").update()
    }
}
