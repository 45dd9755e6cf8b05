import Fluent
import Foundation

/// The school year an official-count upload is for, chosen on the upload form.
struct AddUploadSchoolYear: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ImportUploadModel.schema).field("school_year", .int).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ImportUploadModel.schema).deleteField("school_year").update()
    }
}
