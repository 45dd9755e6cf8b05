import Foundation
import PeixunCore
import SQLKit
import Vapor

/// `peixun report progress --year 2016 [--region CODE] --format json|csv|xlsx [-o FILE]`.
struct ReportCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["progress": ProgressReportCommand()] }
    var help: String { "生成统计报表" }
}

struct ProgressReportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "year", help: "统计年度，例如 2016")
        var year: Int?

        @Option(name: "region", help: "行政区划代码或名称，默认全省")
        var region: String?

        @Option(name: "format", help: "json、csv 或 xlsx")
        var format: String?

        @Option(name: "output", short: "o", help: "输出文件；省略时 json/csv 输出到标准输出")
        var output: String?

        init() {}
    }

    var help: String { "全省能力提升工程培训实施情况统计表（附件1）" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let regions = app.regions
        let format = signature.format ?? "json"
        guard ["json", "csv", "xlsx"].contains(format) else {
            context.console.error("--format 只能是 json、csv 或 xlsx")
            throw ExitCode(2)
        }
        let regionCode = try context.region(signature.region, orElse: regions.province).code
        let year = signature.year ?? Appendix1.reportYear
        guard ProgressQuery.years.contains(year) else {
            context.console.error("年度无效：\(year)")
            throw ExitCode(2)
        }
        let service = ProgressReportService(database: app.db as! any SQLDatabase, regions: regions)
        let report = try await service.report(year: year, regionCode: regionCode)
        switch format {
        case "xlsx":
            guard let output = signature.output else {
                context.console.error("xlsx 格式需要用 -o 指定输出文件")
                throw ExitCode(2)
            }
            try ProgressExport.writeXlsx(report, to: output)
            context.console.info("已写入 \(output)")
        case "csv":
            try emit(ProgressExport.csv(report), to: signature.output, context: context)
        default:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let json = String(decoding: try encoder.encode(ProgressDTO(report)), as: UTF8.self) + "\n"
            try emit(json, to: signature.output, context: context)
        }
    }

    private func emit(_ text: String, to output: String?, context: CommandContext) throws {
        if let output {
            try text.write(toFile: output, atomically: true, encoding: .utf8)
            context.console.info("已写入 \(output)")
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
