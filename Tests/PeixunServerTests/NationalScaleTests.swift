import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// `peixun demo --scale 2` at test size: 全国 above Sichuan and 模拟省01. A national account
/// sees both provinces' totals; a province account only its own.
@Suite struct NationalScaleTests {
    /// The test app with two small provinces and an account on 全国 (`quanguo`).
    func withNation(_ body: (Application) async throws -> Void) async throws {
        try await withTestApp { app in
            let summary = try await DemoLoader(database: app.db, nation: DemoNationGenerator(scale: 2, size: .small, seed: 11)).load()
            let perProvince = DemoProvinceGenerator.cityFigures(scale: .small).reduce(0) { $0 + $1.figures.total }
            #expect(summary.teachers == 2 * perProvince)
            try await app.loadNationalRegions()
            let national = UserModel()
            national.username = "quanguo"
            national.displayName = "全国（测试）"
            national.passwordHash = TestUsers.hash
            national.role = Role.province.rawValue
            national.regionCode = SyntheticProvinces.nationalCode
            national.disabled = false
            try await national.create(on: app.db)
            try await body(app)
        }
    }

    private func report(_ app: Application, _ username: String, region: String? = nil) async throws -> (HTTPStatus, ProgressDTO?) {
        var result: (HTTPStatus, ProgressDTO?) = (.internalServerError, nil)
        let path = "/api/v1/reports/progress?year=2016" + (region.map { "&region=" + $0 } ?? "")
        try await app.testing().test(.GET, path, headers: TestUsers.bearer(app, username)) { response in
            result = (response.status, response.status == .ok ? try response.content.decode(ProgressDTO.self) : nil)
        }
        return result
    }

    @Test func nationalAccountSeesBothProvincesTotals() async throws {
        try await withNation { app in
            let expected = DemoProvinceGenerator.cityFigures(scale: .small).reduce(ProgressFigures.zero) { $0 + $1.figures }
            let (status, nation) = try await report(app, "quanguo")
            #expect(status == .ok)
            let national = try #require(nation)
            #expect(national.region.code == "000000")
            #expect(national.rowLevel == "province")
            #expect(national.rows.map(\.code) == ["510000", "900000"])
            #expect(national.rows.map(\.name) == ["四川省", "模拟省01"])
            for row in national.rows {
                #expect(row.total == expected.total, "\(row.name)")
                #expect(row.trained == expected.trained, "\(row.name)")
                #expect(row.kindergarten == expected.kindergarten)
            }
            #expect(national.total.total == 2 * expected.total)
            // Drilling down: the synthetic province is a copy of Sichuan's shape.
            let (_, synthetic) = try await report(app, "quanguo", region: "900000")
            #expect(synthetic?.rows.count == 21)
            #expect(synthetic?.rows.first?.name == "模拟01成都市")
            #expect(synthetic?.total.trained == expected.trained)
            // The page: one row per province, each linking to its own report.
            try await app.testing().test(.GET, "/reports/progress?year=2016", headers: TestUsers.bearer(app, "quanguo")) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("全国中小学教师信息技术应用能力提升工程培训实施情况统计表"))
                #expect(response.text.contains("模拟省01"))
                #expect(response.text.contains("region=900000"))
            }
        }
    }

    @Test func provinceAccountSeesOnlyItsOwnProvince() async throws {
        try await withNation { app in
            let expected = DemoProvinceGenerator.cityFigures(scale: .small).reduce(ProgressFigures.zero) { $0 + $1.figures }
            let (status, own) = try await report(app, "sheng")
            #expect(status == .ok)
            #expect(own?.region.code == "510000")
            #expect(own?.rows.count == 21)
            #expect(own?.total.total == expected.total)
            #expect(own?.total.trained == expected.trained)
            for region in ["000000", "900000", "900104"] {
                let (refused, _) = try await report(app, "sheng", region: region)
                #expect(refused != .ok, "\(region)")
            }
            // The one scope mechanism narrows every regional query to the province.
            let user = try #require(try await UserModel.query(on: app.db).filter(\.$username == "sheng").first())
            let sheng = try CurrentUser(user, channel: .token, regions: app.regions)
            #expect(sheng.scope == .province("510000"))
            let teachers = try await TeacherModel.query(on: app.db).scoped(to: sheng.scope).count()
            #expect(teachers == expected.total)
            let schools = try await SchoolModel.query(on: app.db).scoped(to: sheng.scope).filter(\.$countyCode == "900104").count()
            #expect(schools == 0)
            // A city account is unchanged.
            let (_, chengdu) = try await report(app, "chengdu")
            #expect(chengdu?.region.code == "510100")
        }
    }

    @Test func oneProvinceKeepsTheWholeTreeScope() async throws {
        try await withTestApp(demo: .small) { app in
            #expect(app.regions.nationalRoot == nil)
            let user = try #require(try await UserModel.query(on: app.db).filter(\.$username == "sheng").first())
            #expect(try CurrentUser(user, channel: .token, regions: app.regions).scope == .all)
        }
    }
}
