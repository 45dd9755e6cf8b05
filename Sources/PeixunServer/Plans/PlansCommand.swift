import Foundation
import PeixunCore
import PeixunSheets
import Vapor

/// `peixun plans export --year 2017 [--region CODE] -o FILE.xlsx`.
struct PlansCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["export": PlansExportCommand()] }
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
        var region = regions.province
        if let text = signature.region {
            guard let found = regions.resolve(text).region else {
                context.console.error("找不到行政区划：\(text)")
                throw ExitCode(2)
            }
            region = found
        }
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
