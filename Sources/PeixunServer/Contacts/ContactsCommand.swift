import Foundation
import PeixunCore
import PeixunSheets
import Vapor

/// `peixun contacts export [--year 2017] [--region 代码或名称] -o FILE.xlsx`.
struct ContactsCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["export": ContactsExportCommand()] }
    var help: String { "项目联系人信息表（附件4）" }
}

struct ContactsExportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "year", help: "年度，默认 2017")
        var year: Int?

        @Option(name: "region", help: "市(州)代码或名称，默认全省")
        var region: String?

        @Option(name: "output", short: "o", help: "输出的 .xlsx 文件")
        var output: String?

        init() {}
    }

    var help: String { "按附件4表样导出项目联系人信息表（全省或一个市(州)）" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let regions = app.regions
        guard let output = signature.output else {
            context.console.error("请用 -o 指定输出的 .xlsx 文件")
            throw ExitCode(2)
        }
        let year = signature.year ?? ReportingTask.defaultYear
        guard ReportingTask.years.contains(year) else {
            context.console.error("年度无效：\(year)")
            throw ExitCode(2)
        }
        let region = try context.region(signature.region, orElse: regions.province)
        guard region.level != .county else {
            context.console.error("附件4按市(州)或全省导出，\(regions.qualifiedName(of: region))是县(市、区)；请写它所在的市(州)")
            throw ExitCode(2)
        }
        let rows = try await ContactsDesk.exportRows(year: year, region: region, regions: regions, on: app.db)
        try ContactsWorkbook.write(rows, regionName: regions.qualifiedName(of: region), year: year, to: output)
        let filled = rows.count { $0.contact != nil }
        context.console.print("已导出 \(rows.count) 行（已填写 \(filled)，未填写 \(rows.count - filled)）：\(output)")
    }
}
