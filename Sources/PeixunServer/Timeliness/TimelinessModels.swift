import Fluent
import Foundation
import PeixunCore

/// A reporting task's deadline for one year, as the province set it; a task and year without
/// a row uses the task's default date (`ReportingTask.defaultDeadline`).
final class TaskDeadlineModel: Model, @unchecked Sendable {
    static let schema = "task_deadlines"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "task") var task: String
    @Field(key: "year") var year: Int
    /// `YYYY-MM-DD`.
    @Field(key: "deadline") var deadline: String
    @Field(key: "updated_by") var updatedBy: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// A reminder (催报) sent to a unit about one task and year: shown on the unit's pages until
/// it has submitted.
final class ReminderModel: Model, @unchecked Sendable {
    static let schema = "reminders"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "task") var task: String
    @Field(key: "year") var year: Int
    @Field(key: "region_code") var regionCode: String
    @Field(key: "message") var message: String
    @Field(key: "sent_by") var sentBy: String
    @Field(key: "sent_at") var sentAt: Date

    init() {}
}
