import Fluent
import SQLKit
import Foundation

struct CreateTransfers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TransferModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("teacher_id", .int, .required, .references(TeacherModel.schema, .id))
            .field("from_school_id", .int, .required, .references(SchoolModel.schema, .id))
            .field("from_county_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("from_city_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("to_school_id", .int, .references(SchoolModel.schema, .id))
            .field("requested_school", .string)
            .field("to_county_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("to_city_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("status", .string, .required)
            .field("note", .string)
            .field("decision_reason", .string)
            .field("requested_by", .string, .required)
            .field("requested_at", .datetime, .required)
            .field("decided_by", .string)
            .field("decided_at", .datetime)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "transfers_teacher").on(TransferModel.schema).column("teacher_id").run()
        try await sql.create(index: "transfers_to_county").on(TransferModel.schema).column("to_county_code").column("status").run()
        try await sql.create(index: "transfers_from_county").on(TransferModel.schema).column("from_county_code").column("status").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(TransferModel.schema).delete()
    }
}
