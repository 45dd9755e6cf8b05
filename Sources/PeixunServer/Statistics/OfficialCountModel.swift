import Fluent

/// 专任教师数 from the education statistics, per county × stage × school year (named by the
/// year it starts: 2015 is 2015/2016). The denominator of Appendix 1.
final class OfficialCountModel: Model, @unchecked Sendable {
    static let schema = "official_counts"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "county_code") var countyCode: String
    @Field(key: "city_code") var cityCode: String
    @Field(key: "stage") var stage: String
    @Field(key: "school_year") var schoolYear: Int
    @Field(key: "teachers") var teachers: Int

    init() {}
}

struct CreateOfficialCounts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OfficialCountModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("county_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("city_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("stage", .string, .required)
            .field("school_year", .int, .required)
            .field("teachers", .int, .required)
            .unique(on: "county_code", "stage", "school_year")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OfficialCountModel.schema).delete()
    }
}
