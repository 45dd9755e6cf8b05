import Fluent
import Foundation
import PeixunCore
import SQLKit

/// A city's reissue round: the requests its counties send up together, the subject of one
/// approval (`ApprovalWorkflowKind.reissue`, subject = the round). A new request joins its
/// city's newest round that the province has not approved, or opens a new one.
final class ReissueRoundModel: Model, @unchecked Sendable {
    static let schema = "reissue_rounds"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "city_code") var cityCode: String
    @Field(key: "opened") var opened: Date

    init() {}
}

/// 补发申请: one request to reissue one certificate, made by its teacher or its county.
final class ReissueRequestModel: Model, @unchecked Sendable {
    static let schema = "reissue_requests"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "certificate_id") var certificateID: Int
    @Field(key: "teacher_id") var teacherID: Int
    @Field(key: "county_code") var countyCode: String
    @Field(key: "city_code") var cityCode: String
    @Field(key: "round_id") var roundID: Int
    /// Read through `kind()`.
    @Field(key: "kind") var storedKind: String
    @OptionalField(key: "corrected_name") var correctedName: String?
    @Field(key: "reason") var reason: String
    /// Read through `status()`.
    @Field(key: "status") var storedStatus: String
    @OptionalField(key: "statement") var statement: String?
    @OptionalField(key: "statement_by") var statementBy: String?
    @OptionalField(key: "statement_at") var statementAt: Date?
    @OptionalField(key: "returned_reason") var returnedReason: String?
    @Field(key: "requested_by") var requestedBy: String
    @Field(key: "requested_role") var requestedRole: String
    @Field(key: "requested_at") var requestedAt: Date
    /// The certificate the approval produced.
    @OptionalField(key: "new_certificate_id") var newCertificateID: Int?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    func kind() throws -> ReissueKind {
        try .read(storedKind, table: Self.schema, row: id, column: "kind")
    }

    func status() throws -> ReissueStatus {
        try .read(storedStatus, table: Self.schema, row: id, column: "status")
    }
}

extension ReissueRequestModel: RegionScopedModel {
    static var countyCodeKey: KeyPath<ReissueRequestModel, FieldProperty<ReissueRequestModel, String>> { \.$countyCode }
    static var cityCodeKey: KeyPath<ReissueRequestModel, FieldProperty<ReissueRequestModel, String>> { \.$cityCode }
}

/// Which projects an institution account runs (`institution_projects`): it confirms the
/// reissue requests of teachers with a training record in one of them.
enum InstitutionProjects {
    static let schema = "institution_projects"

    static func projects(of userID: Int, on sql: any SQLDatabase) async throws -> [Int] {
        struct Row: Decodable { let project_id: Int }
        return try await sql.select().column("project_id").from(schema).where("user_id", .equal, userID).orderBy("project_id")
            .all(decoding: Row.self).map(\.project_id)
    }

    /// The ids once each, in order; unknown project ids are refused.
    static func validate(_ projectIDs: [Int], on db: any Database) async throws -> [Int] {
        let wanted = Array(Set(projectIDs)).sorted()
        let known = try await ProjectModel.query(on: db).filter(\.$id ~~ wanted).all().compactMap(\.id)
        if let unknown = wanted.first(where: { !known.contains($0) }) {
            throw InputRefusal(field: "项目", code: "project.unknown", "没有编号为 \(unknown) 的项目")
        }
        return wanted
    }

    /// Replaces the user's projects.
    static func set(_ projectIDs: [Int], for userID: Int, on db: any Database) async throws {
        let wanted = try await validate(projectIDs, on: db)
        let sql = db as! any SQLDatabase
        try await sql.delete(from: schema).where("user_id", .equal, userID).run()
        for id in wanted {
            try await sql.insert(into: schema).columns("user_id", "project_id").values(SQLBind(userID), SQLBind(id)).run()
        }
    }

    /// Sets an institution account's projects in one transaction, audited.
    static func assign(_ projectIDs: [Int], to account: UserModel, actor: AuditLog.Actor, on database: any Database) async throws {
        guard account.roleValue == .institution, let id = account.id else {
            throw AppError(.unprocessableEntity, code: "user.not_institution", "\(account.username) 不是培训机构账户")
        }
        try await database.transaction { db in
            let sql = db as! any SQLDatabase
            let before = try await projects(of: id, on: sql)
            try await set(projectIDs, for: id, on: db)
            let after = try await projects(of: id, on: sql)
            try await AuditLog.record(on: db, actor: actor, action: .update, objectType: "user", objectID: String(id),
                                      changes: ["projects": .init(before: before.map(String.init).joined(separator: ","),
                                                                  after: after.map(String.init).joined(separator: ","))],
                                      summary: "设置培训机构 \(account.username) 承担的项目：\(after.map(String.init).joined(separator: "、"))")
        }
    }

    /// SQL: the teacher in `teacherColumn` has a record in a project of an enabled institution
    /// account (`userID` given: of that account).
    static func linked(teacherColumn: String, userID: Int? = nil) -> SQLQueryString {
        let user: SQLQueryString = userID.map { "AND ip.user_id = \(bind: $0)" } ?? ""
        return """
            EXISTS (SELECT 1 FROM training_records lr JOIN institution_projects ip ON ip.project_id = lr.project_id
                    JOIN users lu ON lu.id = ip.user_id AND lu.disabled = \(bind: false) AND lu.role = \(bind: Role.institution.rawValue)
                    WHERE lr.teacher_id = \(unsafeRaw: teacherColumn) \(user))
            """
    }
}
