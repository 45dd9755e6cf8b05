import Fluent
import SQLKit
import Foundation

/// 调动记录: a teacher's move to another school. Within a county it takes effect at once;
/// across counties it waits for the receiving county, which also picks the school.
final class TransferModel: Model, @unchecked Sendable {
    static let schema = "teacher_transfers"

    enum Status: String, Codable, Sendable, CaseIterable {
        case pending, accepted, rejected, cancelled

        var label: String {
            switch self {
            case .pending: "待接收"
            case .accepted: "已调入"
            case .rejected: "已拒绝"
            case .cancelled: "已撤销"
            }
        }
    }

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "teacher_id") var teacherID: Int
    @Field(key: "from_school_id") var fromSchoolID: Int
    @Field(key: "from_county_code") var fromCountyCode: String
    @Field(key: "from_city_code") var fromCityCode: String
    @OptionalField(key: "to_school_id") var toSchoolID: Int?
    /// The school the sending county suggested; the receiving county decides.
    @OptionalField(key: "requested_school") var requestedSchool: String?
    @Field(key: "to_county_code") var toCountyCode: String
    @Field(key: "to_city_code") var toCityCode: String
    @Field(key: "status") var status: String
    @OptionalField(key: "note") var note: String?
    @OptionalField(key: "decision_reason") var decisionReason: String?
    @Field(key: "requested_by") var requestedBy: String
    @Field(key: "requested_at") var requestedAt: Date
    @OptionalField(key: "decided_by") var decidedBy: String?
    @OptionalField(key: "decided_at") var decidedAt: Date?

    init() {}

    func statusValue() throws -> Status { try .read(status, table: Self.schema, row: id, column: "status") }
}
