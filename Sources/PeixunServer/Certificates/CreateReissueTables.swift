import Fluent
import Foundation
import PeixunCore
import SQLKit

/// The reissue tables and the institutions' projects. The database refuses an unknown kind or
/// status and a second open request for one certificate.
struct CreateReissueTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ReissueRoundModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("city_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("opened", .datetime, .required)
            .create()
        let kinds = ReissueKind.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let statuses = ReissueStatus.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        try await database.schema(ReissueRequestModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("certificate_id", .int, .required, .references(CertificateModel.schema, .id))
            .field("teacher_id", .int, .required, .references(TeacherModel.schema, .id))
            .field("county_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("city_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("round_id", .int, .required, .references(ReissueRoundModel.schema, .id))
            .field("kind", .string, .required, .sql(raw: "CHECK (kind IN (\(kinds)))"))
            .field("corrected_name", .string)
            .field("reason", .string, .required)
            .field("status", .string, .required, .sql(raw: "CHECK (status IN (\(statuses)))"))
            .field("statement", .string)
            .field("statement_by", .string)
            .field("statement_at", .datetime)
            .field("returned_reason", .string)
            .field("requested_by", .string, .required)
            .field("requested_role", .string, .required)
            .field("requested_at", .datetime, .required)
            .field("new_certificate_id", .int, .references(CertificateModel.schema, .id))
            .field("updated_at", .datetime, .required)
            .create()
        let sql = database as! any SQLDatabase
        let open = ReissueStatus.open.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        try await sql.raw("CREATE UNIQUE INDEX reissue_requests_one_open ON reissue_requests (certificate_id) WHERE status IN (\(unsafeRaw: open))").run()
        try await sql.raw("CREATE INDEX reissue_requests_round ON reissue_requests (round_id, county_code)").run()
        try await sql.raw("CREATE INDEX reissue_requests_teacher ON reissue_requests (teacher_id)").run()
        try await database.schema(InstitutionProjects.schema)
            .field("user_id", .int, .required, .references(UserModel.schema, .id))
            .field("project_id", .int, .required, .references(ProjectModel.schema, .id))
            .compositeIdentifier(over: "user_id", "project_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(InstitutionProjects.schema).delete()
        try await database.schema(ReissueRequestModel.schema).delete()
        try await database.schema(ReissueRoundModel.schema).delete()
    }
}
