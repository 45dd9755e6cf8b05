import Fluent
import Foundation
import SQLKit

/// One cooperation project's qualified list for one year (分配名单), with its deadline.
final class IntegrationBatchModel: Model, @unchecked Sendable {
    static let schema = "integration_batches"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "project_id") var projectID: Int
    @Field(key: "year") var year: Int
    /// YYYY-MM-DD; 30 September of the year unless the province sets another.
    @Field(key: "deadline") var deadline: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A teacher on a batch's list, at its county (nil while it waits in the province's triage),
/// in the list's original order (`sequence`, per county); additions by the county come last.
final class IntegrationEntryModel: Model, @unchecked Sendable {
    static let schema = "integration_entries"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "batch_id") var batchID: Int
    @OptionalField(key: "county_code") var countyCode: String?
    @OptionalField(key: "city_code") var cityCode: String?
    @Field(key: "sequence") var sequence: Int
    @Field(key: "name") var name: String
    @Field(key: "resident_id") var residentID: String
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "school") var school: String?
    /// What the organiser's list said for the county, kept for triage.
    @OptionalField(key: "listed_county") var listedCounty: String?
    @Field(key: "status") var status: String
    @Field(key: "added") var added: Bool
    @OptionalField(key: "certificate_no") var certificateNumber: String?
    @OptionalField(key: "reason") var reason: String?
    @OptionalField(key: "note") var note: String?
    @OptionalField(key: "conflict") var conflict: String?
    @OptionalField(key: "verified_by") var verifiedBy: String?
    @OptionalField(key: "verified_at") var verifiedAt: Date?

    init() {}
}

/// Where a county's or a city's part of a batch stood before the approval engine: the table
/// `CreateSubmissions` moves into `submissions` and drops. Only the migrations name it.
final class IntegrationSubmissionModel: Model, @unchecked Sendable {
    static let schema = "integration_submissions"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "batch_id") var batchID: Int
    @Field(key: "region_code") var regionCode: String
    @Field(key: "state") var state: String
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    @Field(key: "late") var late: Bool
    @OptionalField(key: "returned_reason") var returnedReason: String?
    @OptionalField(key: "updated_by") var updatedBy: String?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}
