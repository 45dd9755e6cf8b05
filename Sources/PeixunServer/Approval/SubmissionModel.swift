import Fluent
import Foundation
import PeixunCore
import SQLKit

/// The workflows that run on the approval engine; the name is stored with each submission.
enum ApprovalWorkflowKind: String, Sendable, Codable, CaseIterable {
    /// 合作项目整合 (Appendix 2): subject = the batch.
    case integration
    /// 证书补发: subject = a city's reissue round (`reissue_rounds`).
    case reissue
    /// 项目联系人信息表 (Appendix 4): subject = the year.
    case contacts
    /// 培训计划及执行情况 (Appendix 3): subject = the year.
    case plan
    /// 培训实施情况统计表 (Appendix 1), the `completion` reporting task: subject = the year.
    case completion
}

/// One unit's report in one workflow (a county's part of an integration batch, a city's plan
/// of a year…): keyed by workflow, subject and region, with its state at its level.
final class SubmissionModel: Model, @unchecked Sendable {
    static let schema = "submissions"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "workflow") var workflow: String
    @Field(key: "subject_id") var subjectID: Int
    @Field(key: "region_code") var regionCode: String
    @Field(key: "level") var level: String
    /// Read through `state()`: an unknown value is an error naming this row.
    @Field(key: "state") var storedState: String
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    @Field(key: "late") var late: Bool
    @OptionalField(key: "returned_reason") var returnedReason: String?
    @OptionalField(key: "updated_by") var updatedBy: String?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    func state() throws -> ApprovalState {
        try .read(storedState, table: Self.schema, row: id, column: "state")
    }
}

extension ApprovalState {
    /// A state read by a raw query: an unknown value is an error naming the row.
    static func read(_ stored: String?, workflow: ApprovalWorkflowKind, subject: Int, region: String) throws -> ApprovalState {
        guard let stored else { return .open }
        do {
            return try ApprovalState(stored: stored, at: "submissions 表（\(workflow.rawValue)，\(subject)，\(region)）的 state")
        } catch {
            throw AppError(.internalServerError, code: "data.invalid_value", error.description)
        }
    }
}
