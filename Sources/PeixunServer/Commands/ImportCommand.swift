import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import Vapor

/// `peixun import teachers FILE [--dry-run] [--json] [--as USER] [--create-schools] [--skip-invalid]`.
struct ImportCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["teachers": ImportTeachersCommand(), "counts": ImportCountsCommand(), "qualified": ImportQualifiedCommand()] }
    var help: String { "导入电子表格" }
}

struct ImportTeachersCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: ".xlsx、.xls 或 .csv（UTF-8 或 GB18030）教师名册")
        var file: String
        @Flag(name: "dry-run", help: "只检查，不写入")
        var dryRun: Bool
        @Flag(name: "json", help: "只输出一个 JSON 对象")
        var json: Bool
        @Option(name: "as", help: "以该用户的身份和管辖范围导入（默认全省）")
        var actingUser: String?
        @Flag(name: "create-schools", help: "自动新建名录中没有的学校")
        var createSchools: Bool
        @Flag(name: "skip-invalid", help: "有错误行时仍导入其余正确的行")
        var skipInvalid: Bool
        @Option(name: "sheet", help: "工作表名称（默认第一个有表头的工作表）")
        var sheet: String?
        @Option(name: "errors", help: "把出错的行写入这个 .xlsx 文件（含错误说明）")
        var errorsFile: String?
        init() {}
    }

    var help: String { "导入教师名册：逐行检查，全部正确才写入（同一文件重复导入不会重复写入）" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let (scope, actor) = try await CommandImport.actingUser(signature.actingUser, app: app, context: context)
        var options = TeacherImporter.Options()
        options.dryRun = signature.dryRun
        options.skipInvalid = signature.skipInvalid
        options.createSchools = signature.createSchools
        options.sheetName = signature.sheet
        let importer = TeacherImporter(database: app.db, regions: app.regions, scope: scope, actor: actor)
        try await CommandImport.run(file: signature.file, json: signature.json, dryRun: signature.dryRun, errorsFile: signature.errorsFile,
                                    context: context) { url in
            try await importer.run(url: url, fileName: url.lastPathComponent, options: options)
        }
    }
}

/// `peixun import counts FILE --year 2016 [--dry-run] [--json] [--as USER] [--skip-invalid]`.
struct ImportCountsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: ".xlsx、.xls 或 .csv 专任教师数统计表")
        var file: String
        @Option(name: "year", help: "学年（学年开始的年份，如 2016）")
        var year: Int?
        @Flag(name: "dry-run", help: "只检查，不写入")
        var dryRun: Bool
        @Flag(name: "json", help: "只输出一个 JSON 对象")
        var json: Bool
        @Option(name: "as", help: "以该用户的身份和管辖范围导入（默认全省）")
        var actingUser: String?
        @Flag(name: "skip-invalid", help: "有错误行时仍导入其余正确的行")
        var skipInvalid: Bool
        @Option(name: "sheet", help: "工作表名称（默认第一个有表头的工作表）")
        var sheet: String?
        @Option(name: "errors", help: "把出错的行写入这个 .xlsx 文件（含错误说明）")
        var errorsFile: String?
        init() {}
    }

    var help: String { "导入专任教师数（每县每学段）：小计、合计行与各行之和核对，全部正确才写入" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let year = signature.year, OfficialCountImporter.years.contains(year) else {
            context.console.error("请用 --year 指定学年（\(OfficialCountImporter.years.lowerBound)–\(OfficialCountImporter.years.upperBound)）")
            throw ExitCode(2)
        }
        try await app.autoMigrate()
        let (scope, actor) = try await CommandImport.actingUser(signature.actingUser, app: app, context: context)
        let options = OfficialCountImporter.Options(dryRun: signature.dryRun, skipInvalid: signature.skipInvalid, sheetName: signature.sheet, schoolYear: year)
        let importer = OfficialCountImporter(database: app.db, regions: app.regions, scope: scope, actor: actor)
        try await CommandImport.run(file: signature.file, json: signature.json, dryRun: signature.dryRun, errorsFile: signature.errorsFile,
                                    context: context) { url in
            try await importer.run(url: url, fileName: url.lastPathComponent, options: options)
        }
    }
}

/// `peixun import qualified FILE --project 名称或编号 --year 2016 [--dry-run] [--json] [--skip-invalid]`.
struct ImportQualifiedCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: ".xlsx、.xls 或 .csv 合格人员名单")
        var file: String
        @Option(name: "project", help: "合作项目的编号或名称（可写名称中的关键词，如 中国移动）")
        var project: String?
        @Option(name: "year", help: "培训年度")
        var year: Int?
        @Flag(name: "dry-run", help: "只检查，不写入")
        var dryRun: Bool
        @Flag(name: "json", help: "只输出一个 JSON 对象")
        var json: Bool
        @Flag(name: "skip-invalid", help: "有错误行时仍导入其余正确的行")
        var skipInvalid: Bool
        @Option(name: "errors", help: "把出错的行写入这个 .xlsx 文件（含错误说明）")
        var errorsFile: String?
        init() {}
    }

    var help: String { "导入合作项目合格人员名单（省执行办）：按县下发，保持原名单顺序，无法确定县的列入省级待分配" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let projects = try await ProjectModel.query(on: app.db).filter(\.$level == TrainingLevel.cooperation.rawValue).sort(\.$id).all()
        let wanted = signature.project ?? ""
        let matches = projects.filter { String($0.id!) == wanted || $0.name == wanted || (!wanted.isEmpty && $0.name.contains(wanted)) }
        guard matches.count == 1, let project = matches.first, let year = signature.year else {
            context.console.error("请用 --project 指定一个合作项目、用 --year 指定年度。合作项目：")
            for project in projects { context.console.print("  \(project.id!)  \(project.name)（\(project.year)–\(project.endYear)）") }
            throw ExitCode(2)
        }
        let importer = QualifiedListImporter(database: app.db, regions: app.regions, actor: .commandLine)
        let options = QualifiedListImporter.Options(dryRun: signature.dryRun, skipInvalid: signature.skipInvalid, projectID: project.id!, year: year)
        try await CommandImport.run(file: signature.file, json: signature.json, dryRun: signature.dryRun, errorsFile: signature.errorsFile,
                                    context: context) { url in
            try await importer.run(url: url, fileName: url.lastPathComponent, options: options)
        }
    }
}

/// What every import command shares: acting as a user, refusing a file, printing the report.
enum CommandImport {
    static func actingUser(_ username: String?, app: Application, context: CommandContext) async throws -> (RegionScope, AuditLog.Actor) {
        guard let username else { return (.all, .commandLine) }
        guard let user = try await UserModel.query(on: app.db).filter(\.$username == username).first(), !user.disabled else {
            context.console.error("找不到用户 \(username)")
            throw ExitCode(2)
        }
        return (user.scope(in: app.regions), AuditLog.Actor(userID: user.id, username: user.username, address: "localhost"))
    }

    static func run(file: String, json: Bool, dryRun: Bool, errorsFile: String?, context: CommandContext,
                    _ work: (URL) async throws -> ImportOutcome) async throws {
        let url = URL(fileURLWithPath: file)
        guard FileManager.default.fileExists(atPath: url.path) else {
            context.console.error("找不到文件 \(file)")
            throw ExitCode(2)
        }
        let outcome: ImportOutcome
        do {
            outcome = try await work(url)
        } catch let error as SheetError {
            if json {
                print(#"{"error":{"code":"\#(error.code.rawValue)","message":\#(jsonString(error.message))}}"#)
            } else {
                context.console.error(error.message)
            }
            throw ExitCode(2)
        }
        if let errorsFile, try outcome.writeErrorWorkbook(to: errorsFile), !json {
            context.console.info("出错的行已写入 \(errorsFile)")
        }
        let report = outcome.report
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            for issue in report.errors.prefix(200) { context.console.print("第\(issue.row)行 \(issue.column)：\(issue.message)（\(issue.code)）") }
            if report.errors.count > 200 { context.console.print("……另有 \(report.errors.count - 200) 处错误") }
            if !report.ignoredColumns.isEmpty { context.console.print("未识别、已忽略的列：\(report.ignoredColumns.joined(separator: "、"))") }
            if !report.newSchools.isEmpty { context.console.print("将新建学校：\(report.newSchools.joined(separator: "、"))") }
            let verdict = report.committed ? "已写入" : dryRun ? "试运行，未写入" : "有错误行，未写入（可修正后重新导入，或加 --skip-invalid 只导入正确的行）"
            context.console.info("共 \(report.rows) 行，正确 \(report.valid) 行（新增 \(report.created)，更新 \(report.updated)，未变 \(report.unchanged)），出错 \(Set(report.errors.map(\.row)).count) 行；\(verdict)")
        }
        if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
    }

    private static func jsonString(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}
