import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import Vapor

/// `peixun plans export --year 2017 [--region CODE] -o FILE.xlsx`.
struct PlansCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["export": PlansExportCommand(), "import": PlansImportCommand()] }
    var help: String { "培训计划及执行情况（附件3）" }
}

struct PlansExportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "year", help: "计划年度，例如 2017")
        var year: Int?

        @Option(name: "region", help: "市(州)代码或名称，默认全省")
        var region: String?

        @Option(name: "output", short: "o", help: "输出的 .xlsx 文件")
        var output: String?

        init() {}
    }

    var help: String { "按附件3 表样导出培训计划：市(州)为各县及小计，全省为各市(州)及合计" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let regions = app.regions
        guard let output = signature.output else {
            context.console.error("请用 -o 指定输出的 .xlsx 文件")
            throw ExitCode(2)
        }
        let region = try context.region(signature.region, orElse: regions.province)
        let year: Int
        do {
            year = try PlanBook.year(signature.year)
        } catch let error as AppError {
            context.console.error(error.reason)
            throw ExitCode(2)
        }
        let content = try await PlanTable(database: app.db, regions: regions, approvals: nil)
            .workbook(year: year, region: region, fallbackFiller: "")
        try PlanWorkbook.write(content, to: output)
        try await AuditLog.record(on: app.db, actor: .commandLine, action: .export, objectType: "plan", objectID: String(year),
                                  summary: "导出\(region.name)\(year)年培训计划及执行情况表")
        context.console.info("已写入 \(output)")
    }
}

/// `peixun plans import FILE --year 2017 --region CITY --as USER [--dry-run] [--json]`: a city's
/// filled-in Appendix 3; every difference is printed, and applied unless `--dry-run`.
struct PlansImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "已填写的附件3（.xlsx、.xls 或 .csv）")
        var file: String

        @Option(name: "year", help: "计划年度，例如 2017")
        var year: Int?

        @Option(name: "region", help: "市(州)代码或名称")
        var region: String?

        @Option(name: "as", help: "以该市(州)或省执行办账户的身份导入")
        var username: String?

        @Flag(name: "dry-run", help: "只列出差异，不写入")
        var dryRun: Bool

        @Flag(name: "json", help: "以 JSON 输出")
        var json: Bool

        init() {}
    }

    var help: String { "导入市(州)离线填写的附件3：逐项列出与系统中的差异，无错误时写入" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let username = signature.username,
              let model = try await UserModel.query(on: app.db).filter(\.$username == username).first(), !model.disabled,
              let user = try? CurrentUser(model, channel: .token, regions: app.regions), [.city, .province].contains(user.role) else {
            context.console.error("请用 --as 指定一个市(州)或省执行办账户")
            throw ExitCode(2)
        }
        guard let city = signature.region.flatMap({ app.regions.resolve($0, level: .city).region }) ?? user.regionCode.flatMap(app.regions.region(code:)),
              city.level == .city else {
            context.console.error("请用 --region 指定市(州)")
            throw ExitCode(2)
        }
        guard FileManager.default.fileExists(atPath: signature.file) else {
            context.console.error("找不到文件 \(signature.file)")
            throw ExitCode(2)
        }
        let book = PlanBook(application: app, user: user, actor: AuditLog.Actor(userID: user.id, username: user.username, address: "localhost"))
        var result: PlanImportDTO
        do {
            // The differences first; written only when nothing in the file is refused.
            func run(apply: Bool) async throws -> PlanImportDTO {
                try await book.importSheet(year: try PlanBook.year(signature.year), city: city.code, url: URL(fileURLWithPath: signature.file),
                                           fileName: (signature.file as NSString).lastPathComponent, apply: apply)
            }
            result = try await run(apply: false)
            if !signature.dryRun, result.issues.isEmpty, result.locked.isEmpty { result = try await run(apply: true) }
        } catch let error as AppError {
            context.console.error("\(error.reason)（\(error.code)）")
            throw ExitCode(1)
        }
        if signature.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            for issue in result.issues { context.console.print("第\(issue.row)行：\(issue.message)") }
            for change in result.changes { context.console.print("\(change.name) \(change.field)：\(change.before.isEmpty ? "（空）" : change.before) → \(change.after.isEmpty ? "（空）" : change.after)") }
            if !result.locked.isEmpty { context.console.print("已提交、不能修改：\(result.locked.joined(separator: "、"))") }
            context.console.info("差异 \(result.changes.count) 处，错误 \(result.issues.count) 处；\(result.applied ? "已写入" : "试运行，未写入")")
        }
        if !result.issues.isEmpty || !result.locked.isEmpty { throw ExitCode(1) }
    }
}
