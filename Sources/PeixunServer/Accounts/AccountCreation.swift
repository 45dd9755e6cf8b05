import Fluent
import Foundation
import PeixunCore
import Vapor

/// The one way an account is made, whoever asks (web form, API, CLI, demo): names checked,
/// a password chosen or generated and checked, stored as bcrypt, and the creation audited in
/// the same transaction. Who may create what is checked by the callers beforehand.
struct AccountCreation {
    struct Created: Sendable {
        let user: UserModel
        /// Shown once when the system generated it.
        let generatedPassword: String?
    }

    let database: any Database
    let regions: RegionDirectory
    let actor: AuditLog.Actor
    let hash: @Sendable (String) async throws -> String

    func create(role: Role, username rawUsername: String, displayName rawName: String, regionCode: String?,
                password: String?, teacherID: Int? = nil, createdBy: Int? = nil, mustChangePassword: Bool = false) async throws -> Created {
        let username: String, displayName: String
        if role == .teacher {
            // A teacher's username is its resident ID, already checked by the caller.
            guard try await UserModel.query(on: database).filter(\.$username == rawUsername).first() == nil else {
                throw AppError(.conflict, code: "user.exists", "用户名“\(rawUsername)”已被使用")
            }
            (username, displayName) = (rawUsername, rawName)
        } else {
            (username, displayName) = try await UserDirectory.validateNames(username: rawUsername, displayName: rawName, on: database)
        }
        let generated = (password ?? "").isEmpty ? PasswordGenerator.make() : nil
        let chosen = generated ?? password!
        let problems = PasswordPolicy.problems(password: chosen, username: username)
        guard problems.isEmpty else { throw AppError(.unprocessableEntity, code: "user.password", problems.joined(separator: "；")) }
        let user = UserModel()
        user.username = username
        user.displayName = displayName
        user.passwordHash = try await hash(chosen)
        user.role = role.rawValue
        user.regionCode = role.regionLevel == nil && role != .teacher ? nil : regionCode
        user.teacherID = teacherID
        user.disabled = false
        user.createdBy = createdBy
        user.mustChangePassword = mustChangePassword
        let region = AuditLog.regionColumns(user.regionCode, directory: regions)
        try await database.transaction { db in
            try await user.create(on: db)
            try await AuditLog.record(
                on: db, actor: actor, action: .create, objectType: "user", objectID: String(user.id!),
                countyCode: region.county, cityCode: region.city,
                changes: ["username": .init(before: nil, after: username), "role": .init(before: nil, after: role.rawValue),
                          "region": .init(before: nil, after: user.regionCode), "displayName": .init(before: nil, after: displayName)],
                summary: "新建\(role.label)账户 \(username)")
        }
        return Created(user: user, generatedPassword: generated)
    }
}
