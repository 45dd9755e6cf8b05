import Fluent
import Foundation
import PeixunCore

/// `plans` (one row per county and year, the numbers never negative) and `plan_signatures`.
struct CreatePlans: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PlanModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("year", .int, .required)
            .field("county_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("city_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("provincial_demand", .int, .sql(raw: "CHECK (provincial_demand >= 0)"))
            .field("local_plan", .int, .sql(raw: "CHECK (local_plan >= 0)"))
            .field("uses_provincial_platform", .bool, .required)
            .field("remarks", .string, .required)
            .field("updated_by", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "year", "county_code")
            .create()
        try await database.schema(PlanSignatureModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("year", .int, .required)
            .field("region_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("username", .string, .required)
            .field("filler", .string, .required)
            .field("phone", .string, .required)
            .field("signed_at", .datetime, .required)
            .unique(on: "year", "region_code")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PlanSignatureModel.schema).delete()
        try await database.schema(PlanModel.schema).delete()
    }
}
