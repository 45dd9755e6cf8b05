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
