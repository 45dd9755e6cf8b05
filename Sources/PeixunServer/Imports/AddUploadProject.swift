import Fluent
import Foundation

/// The cooperation project a qualified-list upload is for.
struct AddUploadProject: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ImportUploadModel.schema).field("project_id", .int).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ImportUploadModel.schema).deleteField("project_id").update()
    }
}
