import Fluent
import PeixunCore

/// A school (学校) in a county; its kind decides its teachers' stage.
final class SchoolModel: Model, @unchecked Sendable {
    static let schema = "schools"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @Field(key: "stage") var stage: String
    @Field(key: "county_code") var countyCode: String
    @Field(key: "city_code") var cityCode: String

    init() {}
}
