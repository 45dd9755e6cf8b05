import Fluent
import Foundation
import PeixunCore
import SQLKit

/// 结业证书: one issued certificate. What it states is frozen in `snapshot` (JSON of a
/// `CertificateSnapshot`); the other columns are what queries filter on.
final class CertificateModel: Model, @unchecked Sendable {
    static let schema = "certificates"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "number") var number: String
    @Field(key: "token") var token: String
    @Field(key: "teacher_id") var teacherID: Int
    @Field(key: "county_code") var countyCode: String
    @Field(key: "city_code") var cityCode: String
    /// Read through `status()`: an unknown value is an error naming this row.
    @Field(key: "status") var storedStatus: String
    @Field(key: "snapshot") var snapshotJSON: String
    @Field(key: "issued_on") var issuedOn: String
    @Field(key: "issued_at") var issuedAt: Date
    @OptionalField(key: "issued_by") var issuedBy: String?
    /// The certificate that replaced this one (补发).
    @OptionalField(key: "superseded_by") var supersededBy: Int?
    @OptionalField(key: "revoked_on") var revokedOn: String?
    @OptionalField(key: "revoked_reason") var revokedReason: String?

    init() {}

    func status() throws -> CertificateStatus {
        try .read(storedStatus, table: Self.schema, row: id, column: "status")
    }

    func snapshot() throws -> CertificateSnapshot {
        try Self.decodeSnapshot(snapshotJSON, row: id)
    }

    static func decodeSnapshot(_ json: String, row: Int?) throws -> CertificateSnapshot {
        do {
            return try JSONDecoder().decode(CertificateSnapshot.self, from: Data(json.utf8))
        } catch {
            throw AppError(.internalServerError, code: "data.invalid_value", "certificates 表第 \(row.map(String.init) ?? "?") 行的 snapshot 无法读取：\(error)")
        }
    }

    /// The one encoding of a snapshot: sorted keys, so equal content is equal text.
    static func encode(_ snapshot: CertificateSnapshot) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(snapshot), as: UTF8.self)
    }
}

extension CertificateModel: RegionScopedModel {
    static var countyCodeKey: KeyPath<CertificateModel, FieldProperty<CertificateModel, String>> { \.$countyCode }
    static var cityCodeKey: KeyPath<CertificateModel, FieldProperty<CertificateModel, String>> { \.$cityCode }
}

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

/// The last serial used for (year, county); read and advanced only while its row is locked.
enum CertificateSerialModel {
    static let schema = "certificate_serials"
}
