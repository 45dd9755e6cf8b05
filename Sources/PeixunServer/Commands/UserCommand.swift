import Fluent
import Foundation
import PeixunCore
import Vapor

/// `peixun user create --role ROLE --username NAME [--region CODE] [--name 显示名]` and
/// `peixun user list`. The password is read from standard input when one is piped in,
/// otherwise generated and printed once.
struct UserCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["create": CreateUserCommand(), "list": ListUsersCommand()] }
    var help: String { "管理用户账户" }
}

struct CreateUserCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "role", help: "province、city、county、institution 或 reviewer")
        var role: String?
        @Option(name: "username", help: "登录用户名（英文字母、数字、. _ -）")
        var username: String?
        @Option(name: "region", help: "所属行政区划代码或名称（省、市州、县级账户必填）")
        var region: String?
        @Option(name: "name", help: "显示的姓名或单位名称，默认同用户名")
        var name: String?
        init() {}
    }

    var help: String { "新建用户；密码从标准输入读取，未提供时自动生成并显示一次" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let roleText = signature.role, let role = Role(rawValue: roleText), role != .teacher else {
            context.console.error("--role 须为 province、city、county、institution 或 reviewer（教师通过“首次登录”激活）")
            throw ExitCode(2)
        }
        guard let username = signature.username, !username.isEmpty else {
            context.console.error("请用 --username 指定用户名")
            throw ExitCode(2)
        }
        var regionCode: String?
        if let text = signature.region {
            guard let region = app.regions.resolve(text).region else {
                context.console.error("找不到行政区划：\(text)")
                throw ExitCode(2)
            }
            regionCode = region.code
        }
        if role == .province, regionCode == nil { regionCode = app.regions.province.code }
        let piped = isatty(FileHandle.standardInput.fileDescriptor) == 0
            ? readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces) : nil
        try await app.autoMigrate()
        do {
            let created = try await AccountsAdmin(app: app).create(
                role: role, username: username, displayName: signature.name ?? username,
                regionCode: regionCode, password: piped?.nilIfEmpty)
            context.console.info("已新建\(role.label)账户 \(created.user.username)")
            if let password = created.generatedPassword {
                context.console.print("初始密码（只显示这一次）：\(password)")
            }
        } catch let error as AppError {
            context.console.error(error.reason)
            throw ExitCode(2)
        }
    }
}

struct ListUsersCommand: AsyncCommand {
    struct Signature: CommandSignature { init() {} }
    var help: String { "列出全部用户" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let users = try await UserModel.query(on: app.db).sort(\.$role).sort(\.$username).all()
        for user in users {
            let region = user.regionCode.flatMap { app.regions.region(code: $0)?.name } ?? "—"
            let name = user.roleValue == .teacher ? (ResidentID(canonical: user.username)?.masked ?? user.username) : user.username
            context.console.print("\(name)\t\(user.roleValue.label)\t\(region)\t\(user.displayName)\(user.disabled ? "\t（已停用）" : "")")
        }
        context.console.info("共 \(users.count) 个账户")
    }
}

/// Account creation outside a request (CLI, demo): the same checks as the web form, with the
/// command line as the actor.
struct AccountsAdmin {
    let app: Application

    func create(role: Role, username: String, displayName: String, regionCode: String?, password: String?, teacherID: Int? = nil) async throws -> AccountCreation.Created {
        if let level = role.regionLevel {
            guard let code = regionCode, app.regions.region(code: code)?.level == level else {
                throw AppError(.unprocessableEntity, code: "user.region", "“\(role.label)”账户须指定一个\(level.label)")
            }
        }
        let passwords = app.password
        return try await AccountCreation(database: app.db, regions: app.regions, actor: .commandLine, hash: { try passwords.hash($0) })
            .create(role: role, username: username, displayName: displayName, regionCode: regionCode, password: password, teacherID: teacherID)
    }
}
