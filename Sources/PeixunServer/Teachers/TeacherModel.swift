import Fluent
import Foundation

/// A full-time teacher (专任教师), keyed by resident ID.
///
/// `countyCode` and `cityCode` copy the school's so that region scoping and the reports
/// filter on one indexed column; `firstPassedYear` is the earliest year with a passed
/// training record, kept current by `TrainingLedger`.
final class TeacherModel: Model, @unchecked Sendable {
    static let schema = "teachers"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "resident_id") var residentID: String
    @Field(key: "name") var name: String
    @OptionalField(key: "mobile") var mobile: String?
    @Parent(key: "school_id") var school: SchoolModel
    @Field(key: "stage") var stage: String
    @Field(key: "county_code") var countyCode: String
    @Field(key: "city_code") var cityCode: String
    @OptionalField(key: "first_passed_year") var firstPassedYear: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}
