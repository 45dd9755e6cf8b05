import Fluent
import Foundation
import PeixunCore
import Vapor

/// Reads and changes users within what the acting user may manage. A user outside the
/// actor's reach does not exist for it: every lookup here answers 404.
struct UserDirectory {
    let request: Request
    let actor: CurrentUser

    var policyActor: AccountPolicy.Actor { .init(role: actor.role, regionCode: actor.regionCode) }
    var regions: RegionDirectory { request.application.regions }

    /// Users the actor may see: those it may manage, and itself.
    func visibleUsers() async throws -> [UserModel] {
        let roles = AccountPolicy.creatableRoles(by: policyActor, in: regions).map(\.rawValue)
        guard !roles.isEmpty else { return [] }
        let users = try await UserModel.query(on: request.db)
            .filter(\.$role ~~ roles)
            .sort(\.$role).sort(\.$regionCode).sort(\.$username)
            .all()
        return users.filter { isManageable($0) }
    }

    func isManageable(_ user: UserModel) -> Bool {
        guard user.id != actor.id else { return false }
        return (try? AccountPolicy.check(actor: policyActor, managing: user.roleValue, regionCode: user.regionCode, directory: regions)) != nil
    }

    func find(_ id: Int) async throws -> UserModel {
        guard let user = try await UserModel.find(id, on: request.db), isManageable(user) else { throw AppError.notFound("用户") }
        return user
    }

    struct NewUser: Content {
        let role: String
        let username: String
        let displayName: String
        let regionCode: String?
        let password: String?
    }

    func create(_ input: NewUser) async throws -> AccountCreation.Created {
        guard let role = Role(rawValue: input.role), role != .teacher else {
            throw AppError.badRequest(code: "user.role", "角色无效（\(input.role.prefix(20))）")
        }
        let regionCode = input.regionCode?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        do {
            try AccountPolicy.check(actor: policyActor, managing: role, regionCode: regionCode, directory: regions)
        } catch {
            throw AppError(.unprocessableEntity, code: "user.scope", error.message)
        }
        let request = self.request
        return try await AccountCreation(
            database: request.db, regions: regions, actor: .init(request), hash: { try await request.password.async.hash($0) }
        ).create(role: role, username: input.username, displayName: input.displayName, regionCode: regionCode,
                 password: input.password, createdBy: actor.id, mustChangePassword: true)
    }

    /// The checks every new administrative account passes, from the web, the API or the CLI.
    static func validateNames(username rawUsername: String, displayName rawName: String, on database: any Database) async throws -> (String, String) {
        let username = rawUsername.trimmingCharacters(in: .whitespaces)
        guard username.count >= 3, username.count <= 40,
              username.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw AppError(.unprocessableEntity, code: "user.username", "用户名须为3–40位英文字母、数字或 . _ -")
        }
        let displayName = TextCleaning.clean(rawName)
        guard !displayName.isEmpty, displayName.count <= 60 else {
            throw AppError(.unprocessableEntity, code: "user.name", "请填写姓名或单位名称（不超过60字）")
        }
        if try await UserModel.query(on: database).filter(\.$username == username).first() != nil {
            throw AppError(.conflict, code: "user.exists", "用户名“\(username)”已被使用")
        }
        return (username, displayName)
    }

    func setDisabled(_ id: Int, disabled: Bool) async throws -> UserModel {
        let user = try await find(id)
        guard user.disabled != disabled else { return user }
        let region = AuditLog.regionColumns(user.regionCode, directory: regions)
        try await request.db.transaction { db in
            user.disabled = disabled
            try await user.update(on: db)
            if disabled { try await SignIns.endAll(userID: id, on: db, now: request.clock.now()) }
            try await AuditLog.record(
                on: db, actor: .init(request), action: disabled ? .disable : .enable, objectType: "user", objectID: String(id),
                countyCode: region.county, cityCode: region.city,
                changes: ["disabled": .init(before: String(!disabled), after: String(disabled))],
                summary: "\(disabled ? "停用" : "启用")账户 \(user.username)")
        }
        return user
    }

    /// Sets a new generated password, ends the user's sessions and returns the password once.
    func resetPassword(_ id: Int) async throws -> (UserModel, String) {
        let user = try await find(id)
        return (user, try await Self.resetPassword(of: user, request: request))
    }

    static func resetPassword(of user: UserModel, request: Request) async throws -> String {
        let password = PasswordGenerator.make()
        let hash = try await request.password.async.hash(password)
        let region = AuditLog.regionColumns(user.regionCode, directory: request.application.regions)
        try await request.db.transaction { db in
            user.passwordHash = hash
            user.passwordChangedAt = nil
            user.mustChangePassword = true
            try await user.update(on: db)
            try await SignIns.endAll(userID: user.id!, on: db, now: request.clock.now())
            try await AuditLog.record(
                on: db, actor: .init(request), action: .passwordReset, objectType: "user", objectID: String(user.id!),
                countyCode: region.county, cityCode: region.city, summary: "重置 \(user.displayName)（\(user.username)）的密码")
        }
        return password
    }
}

/// Passwords the system hands out: 12 characters from an alphabet without look-alikes.
enum PasswordGenerator {
    static let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")

    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        while true {
            let candidate = String((0..<12).map { _ in alphabet.randomElement(using: &generator)! })
            if candidate.contains(where: \.isNumber), candidate.contains(where: \.isLetter) { return candidate }
        }
    }
}
