import Fluent
import Foundation
import PeixunCore
import SQLKit

/// The certificates table, and the serial counter per (year, county) whose row is also the lock
/// that two issuers of the same county queue on. The database refuses a second valid certificate
/// for one teacher, whatever the code does.
struct CreateCertificates: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let statuses = CertificateStatus.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        try await database.schema(CertificateModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("number", .string, .required)
            .field("token", .string, .required)
            .field("teacher_id", .int, .required, .references(TeacherModel.schema, .id))
            .field("county_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("city_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("status", .string, .required, .sql(raw: "CHECK (status IN (\(statuses)))"))
            .field("snapshot", .string, .required)
            .field("issued_on", .string, .required)
            .field("issued_at", .datetime, .required)
            .field("issued_by", .string)
            .field("superseded_by", .int, .references(CertificateModel.schema, .id))
            .field("revoked_on", .string)
            .field("revoked_reason", .string)
            .unique(on: "number")
            .unique(on: "token")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE UNIQUE INDEX certificates_one_valid_per_teacher ON certificates (teacher_id) WHERE status = 'valid'").run()
        try await sql.raw("CREATE INDEX certificates_teacher ON certificates (teacher_id)").run()
        try await sql.raw("CREATE INDEX certificates_county ON certificates (county_code, status)").run()
        try await database.schema(CertificateSerialModel.schema)
            .field("year", .int, .required)
            .field("county_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("last_serial", .int, .required)
            .compositeIdentifier(over: "year", "county_code")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CertificateSerialModel.schema).delete()
        try await database.schema(CertificateModel.schema).delete()
    }
}
