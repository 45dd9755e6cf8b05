import Fluent
import Foundation

/// One teacher's result in one project (培训记录).
final class TrainingRecordModel: Model, @unchecked Sendable {
    static let schema = "training_records"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "teacher_id") var teacherID: Int
    @Field(key: "project_id") var projectID: Int
    @Field(key: "year") var year: Int
    @Field(key: "result") var result: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    /// The integration entry whose approval wrote this record (`LinkRecordsToEntries`).
    @OptionalField(key: "integration_entry_id") var integrationEntryID: Int?

    init() {}
}
