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

/// The last serial used for (year, county); read and advanced only while its row is locked.
enum CertificateSerialModel {
    static let schema = "certificate_serials"
}
