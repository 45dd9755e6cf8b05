import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

/// `peixun user create --role ROLE --username NAME [--region CODE] [--name 显示名] [--projects ID,ID]`,
/// `peixun user list` and `peixun user projects USERNAME [--set ID,ID]` (an institution's projects). The password is read from standard input when one is piped in,
/// otherwise generated and printed once.
struct UserCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["create": CreateUserCommand(), "list": ListUsersCommand(), "projects": UserProjectsCommand()] }
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
        @Option(name: "projects", help: "培训机构承担的项目编号，逗号分隔，如 1,2")
        var projects: String?
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
        if role == .province, regionCode == nil {
            // Above several provinces the top of the tree is the whole nation: never by default.
            guard app.regions.nationalRoot == nil else {
                context.console.error("数据库含多个省：请用 --region 指定省执行办账户所属的省（全国账户为 \(SyntheticProvinces.nationalCode)）")
                throw ExitCode(2)
            }
            regionCode = app.regions.province.code
        }
        var projects: [Int]?
        if let text = signature.projects {
            guard role == .institution else {
                context.console.error("--projects 只用于培训机构账户（--role institution）")
                throw ExitCode(2)
            }
            projects = try UserProjectsCommand.parse(text, context: context)
        }
        let piped = isatty(FileHandle.standardInput.fileDescriptor) == 0
            ? readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces) : nil
        try await app.autoMigrate()
        try await UserProjectsCommand.exitOnRefusal(context) {
            if let projects { _ = try await InstitutionProjects.validate(projects, on: app.db) }
            let created = try await AccountsAdmin(app: app).create(
                role: role, username: username, displayName: signature.name ?? username,
                regionCode: regionCode, password: piped?.nilIfEmpty)
            if let projects { try await InstitutionProjects.assign(projects, to: created.user, actor: .commandLine, on: app.db) }
            context.console.info("已新建\(role.label)账户 \(created.user.username)")
            if let password = created.generatedPassword {
                context.console.print("初始密码（只显示这一次）：\(password)")
            }
        }
    }
}

/// `peixun user projects USERNAME [--set 1,2]`: shows, or sets, the projects an institution
/// account runs; it confirms the reissue requests of teachers trained in them.
struct UserProjectsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "username", help: "培训机构账户的用户名")
        var username: String
        @Option(name: "set", help: "项目编号，逗号分隔，如 1,2；留空（--set \"\"）则取消全部关联")
        var set: String?
        init() {}
    }

    var help: String { "查看或设置培训机构承担的项目" }

    /// Runs `body`; a refusal (an `AppError` or refused input) is printed and exits with status 2.
    static func exitOnRefusal(_ context: CommandContext, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as AppError {
            context.console.error(error.reason)
            throw ExitCode(2)
        } catch let refusal as InputRefusal {
            context.console.error(refusal.message)
            throw ExitCode(2)
        }
    }

    static func parse(_ text: String, context: CommandContext) throws -> [Int] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let ids = parts.compactMap { Int($0) }
        guard ids.count == parts.count else {
            context.console.error("项目编号应为逗号分隔的数字，如 1,2；实际为 \(text.prefix(60))")
            throw ExitCode(2)
        }
        return ids
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        guard let user = try await UserModel.query(on: app.db).filter(\.$username == signature.username).first() else {
            context.console.error("找不到账户：\(signature.username)")
            throw ExitCode(2)
        }
        if let text = signature.set {
            let ids = try Self.parse(text, context: context)
            try await Self.exitOnRefusal(context) { try await InstitutionProjects.assign(ids, to: user, actor: .commandLine, on: app.db) }
        }
        let ids = try await InstitutionProjects.projects(of: user.id!, on: app.db as! any SQLDatabase)
        let names = try await ProjectModel.query(on: app.db).filter(\.$id ~~ ids).sort(\.$id).all()
        for project in names { context.console.print("\(project.id!)\t\(project.name)") }
        context.console.info("\(user.username) 承担 \(ids.count) 个项目")
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
