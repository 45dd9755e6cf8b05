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

struct CreateTeachers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TeacherModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("resident_id", .string, .required)
            .field("name", .string, .required)
            .field("mobile", .string)
            .field("school_id", .int, .required, .references(SchoolModel.schema, .id))
            .field("stage", .string, .required)
            .field("county_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("city_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("first_passed_year", .int)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "resident_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(TeacherModel.schema).delete()
    }
}
