import Fluent
import Foundation
import SQLKit

/// A training institution's qualified list for one of its projects and one year (机构上报的合格名单),
/// waiting for the province: it publishes it to the counties (the file is imported then, as
/// if the province had uploaded it) or sends it back with a reason.
final class ProposedListModel: Model, @unchecked Sendable {
    static let schema = "proposed_lists"

    enum Status: String, Codable, Sendable, CaseIterable {
        case proposed, published, returned

        var label: String {
            switch self {
            case .proposed: "待省级审核"
            case .published: "已发布到县"
            case .returned: "已退回"
            }
        }
    }

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "project_id") var projectID: Int
    @Field(key: "year") var year: Int
    @Field(key: "user_id") var userID: Int
    @Field(key: "file_name") var fileName: String
    @Field(key: "sha256") var sha256: String
    /// The file as uploaded, imported again when the province publishes it.
    @Field(key: "content") var content: Data
    /// Read through `statusValue()`.
    @Field(key: "status") var status: String
    @Field(key: "row_count") var rows: Int
    @Field(key: "valid_count") var valid: Int
    @Field(key: "refused_rows") var refusedRows: Int
    /// The row errors as the import reported them (JSON `[RowIssue]`).
    @Field(key: "errors") var errors: String
    @OptionalField(key: "returned_reason") var returnedReason: String?
    @OptionalField(key: "batch_id") var batchID: Int?
    @OptionalField(key: "decided_by") var decidedBy: String?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    func statusValue() throws -> Status { try .read(status, table: Self.schema, row: id, column: "status") }
}

/// One checked row of a proposed list, at the county it will land at (nil: the province's triage).
final class ProposedListRowModel: Model, @unchecked Sendable {
    static let schema = "proposed_list_rows"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "proposal_id") var proposalID: Int
    @Field(key: "line") var row: Int
    @OptionalField(key: "county_code") var countyCode: String?
    @OptionalField(key: "listed_county") var listedCounty: String?
    @OptionalField(key: "school") var school: String?
    @Field(key: "name") var name: String
    @Field(key: "resident_id") var residentID: String
    @OptionalField(key: "phone") var phone: String?

    init() {}
}
