import Fluent
import Foundation
import PeixunCore

/// A county's entries on its training plan of a year (Appendix 3); the figures beside them
/// are not stored but read from Appendix 1 of the year before, so the row always agrees with it.
final class PlanModel: Model, @unchecked Sendable {
    static let schema = "plans"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "year") var year: Int
    @Field(key: "county_code") var countyCode: String
    @Field(key: "city_code") var cityCode: String
    @OptionalField(key: "provincial_demand") var provincialDemand: Int?
    @OptionalField(key: "local_plan") var localPlan: Int?
    @Field(key: "uses_provincial_platform") var usesProvincialPlatform: Bool
    @Field(key: "remarks") var remarks: String
    @Field(key: "updated_by") var updatedBy: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var entry: PlanEntry {
        PlanEntry(provincialDemand: provincialDemand, localPlan: localPlan, usesProvincialPlatform: usesProvincialPlatform, remarks: remarks)
    }
}

/// Who filled in and submitted a county's or a city's plan: the form's 填表人 and 联系电话,
/// written when the unit submits.
final class PlanSignatureModel: Model, @unchecked Sendable {
    static let schema = "plan_signatures"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "year") var year: Int
    @Field(key: "region_code") var regionCode: String
    @Field(key: "username") var username: String
    @Field(key: "filler") var filler: String
    @Field(key: "phone") var phone: String
    @Field(key: "signed_at") var signedAt: Date

    init() {}
}
