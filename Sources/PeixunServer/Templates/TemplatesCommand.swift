import Foundation
import PeixunCore
import Vapor

/// `peixun templates [--region 代码或名称] [-o 目录]`: every import template, as the page
/// serves them, for sending to offices that fill them in offline.
struct TemplatesCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "region", help: "示例行所在的市(州)或县(市、区)，默认锦江区")
        var region: String?

        @Option(name: "output", short: "o", help: "写入的目录，默认当前目录")
        var output: String?

        init() {}
    }

    var help: String { "生成全部导入模板（.xlsx：表头 + 一行示例 + 填写说明）" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let directory = signature.output ?? FileManager.default.currentDirectoryPath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            context.console.error("目录不存在：\(directory)")
            throw ExitCode(2)
        }
        let scope: RegionScope
        switch try signature.region.map({ try context.region($0, orElse: nil) }) {
        case .some(let region) where region.level == .city: scope = .city(region.code)
        case .some(let region) where region.level == .county: scope = .county(region.code)
        default: scope = .all
        }
        let place = try await TemplatesController.place(for: scope, regions: app.regions, on: app.db)
        for kind in ImportTemplate.Kind.allCases {
            let year = kind == .plans ? ReportingYears.current + 1 : ReportingYears.current
            let path = (directory as NSString).appendingPathComponent(kind.downloadName)
            try ImportTemplate(kind: kind, place: place, year: year).write(to: path)
            context.console.print(path)
        }
        context.console.print("已生成 \(ImportTemplate.Kind.allCases.count) 个导入模板（示例在\(app.regions.qualifiedName(of: place.county))）")
    }
}
