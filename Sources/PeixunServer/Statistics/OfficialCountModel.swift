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
