import Fluent
import Foundation
import SQLKit

/// One line of the append-only audit log (审计日志).
final class AuditEntryModel: Model, @unchecked Sendable {
    static let schema = "audit_log"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "occurred_at") var occurredAt: Date
    @OptionalField(key: "user_id") var userID: Int?
    @Field(key: "username") var username: String
    @Field(key: "address") var address: String
    @Field(key: "action") var action: String
    @Field(key: "object_type") var objectType: String
    @OptionalField(key: "object_id") var objectID: String?
    /// The region the object belongs to, so that city and county users see their subtree.
    @OptionalField(key: "county_code") var countyCode: String?
    @OptionalField(key: "city_code") var cityCode: String?
    /// JSON `{"field":{"before":…,"after":…}}` or details of the event.
    @Field(key: "changes") var changes: String
    @Field(key: "summary") var summary: String

    init() {}
}
