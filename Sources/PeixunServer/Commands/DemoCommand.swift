import Fluent
import Foundation
import PeixunCore
import Vapor

/// `peixun demo [--scale N|full|small] [--seed N]`: fills an empty database with the demo province,
/// or with N × Sichuan (全国 above Sichuan and N − 1 synthetic provinces, bench/README.md).
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "scale", help: "N（N 倍四川省：1 即四川省，N > 1 时另加 N−1 个模拟省及“全国”）、full（即 1）或 small（约 1%）")
        var scale: String?

        @Option(name: "seed", help: "随机种子，相同种子生成相同数据")
        var seed: UInt64?

        @Flag(name: "if-empty", help: "数据库已有数据时不报错，直接跳过")
        var ifEmpty: Bool

        init() {}
    }

    var help: String { "向空数据库载入演示数据（四川省全省、约 1% 规模，或 N 倍四川省的全国规模）" }

    /// `--scale`: full and small as before, or a whole number of provinces.
    static func nation(scale text: String?, seed: UInt64) -> DemoNationGenerator? {
        switch text ?? "full" {
        case "full": return DemoNationGenerator(DemoProvinceGenerator(scale: .full, seed: seed))
        case "small": return DemoNationGenerator(DemoProvinceGenerator(scale: .small, seed: seed))
        case let number:
            guard let scale = Int(number), (1...SyntheticProvinces.maximumScale).contains(scale) else { return nil }
            return DemoNationGenerator(scale: scale, seed: seed)
        }
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let nation = Self.nation(scale: signature.scale, seed: signature.seed ?? 2017) else {
            context.console.error("--scale 须为 1 到 \(SyntheticProvinces.maximumScale) 的整数（省的个数），或 full、small（“\(signature.scale ?? "")”无效）")
            throw ExitCode(2)
        }
        try await app.autoMigrate()
        let loader = DemoLoader(database: app.db, nation: nation)
        guard try await loader.isEmpty() else {
            context.console.warning("数据库中已有数据，未载入演示数据。")
            if signature.ifEmpty {
                if try await UserModel.query(on: app.db).filter(\.$username == "sheng").first() != nil {
                    context.console.print(DemoUsers.describe(try await DemoUsers.ensure(app: app)))
                }
                return
            }
            throw ExitCode(3)
        }
        let size = nation.scale > 1 ? "\(nation.scale) 个省（四川省及 \(nation.scale - 1) 个模拟省）" : signature.scale == "small" ? "约 1%" : "全省"
        context.console.info("正在生成演示数据（\(size)规模）…")
        let console = context.console
        let summary = try await loader.load { message in console.print(message) }
        try await app.loadNationalRegions()
        let rate = Double(summary.rows) / max(summary.seconds, 0.001)
        context.console.info(String(
            format: "已载入：学校 %d 所，教师 %d 人，培训项目 %d 个，培训记录 %d 条，统计数 %d 条；用时 %.1f 秒（%.0f 行/秒）",
            summary.schools, summary.teachers, summary.projects, summary.records, summary.officialCounts, summary.seconds, rate))
        // 锦江区's certificates, so that the demo teacher (锦江区's first) has one to print; the
        // province issues the rest from 结业证书 or with `peixun certificates issue`.
        let jinjiang = try await CertificateIssuance(application: app, actor: .commandLine).issue(regionCode: "510104")
        context.console.info("已为成都市锦江区签发结业证书 \(jinjiang.issued) 张（其他地区在“结业证书”页或用 peixun certificates issue 签发）")
        context.console.print(DemoUsers.describe(try await DemoUsers.ensure(app: app)))
    }
}
