import Fluent
import Foundation
import PeixunCore
import Testing
import VaporTesting
@testable import PeixunServer

/// Above several provinces (`peixun demo --scale 2`) a province account below 全国 reaches its
/// own province and nothing else — through every path that derives a scope, not only the
/// request's: user management, background jobs, and what the whole tree shares.
@Suite struct NationalScopeTests {
    private func user(_ app: Application, _ username: String) async throws -> UserModel {
        try #require(try await UserModel.query(on: app.db).filter(\.$username == username).first())
    }

    private func post(_ app: Application, _ path: String, as username: String, _ body: [String: AnyEncodableValue] = [:]) async throws -> (HTTPStatus, String) {
        var result: (HTTPStatus, String) = (.internalServerError, "")
        try await app.testing().test(.POST, path, headers: try await TestUsers.bearer(app, username),
                                     beforeRequest: { try $0.content.encode(body, as: .json) }) { response in
            result = (response.status, response.body.string)
        }
        return result
    }

    @Test func aProvinceBelowTheNationManagesOnlyItsOwnProvincesAccounts() async throws {
        try await NationalScaleTests().withNation { app in
            let quanguo = try await user(app, "quanguo")
            try await app.testing().test(.GET, "/api/v1/users", headers: try await TestUsers.bearer(app, "sheng")) { response in
                #expect(response.status == .ok)
                #expect(!response.body.string.contains("quanguo"))
                #expect(response.body.string.contains("chengdu"))
            }
            let before = quanguo.passwordHash
            let (reset, _) = try await post(app, "/api/v1/users/\(quanguo.id!)/reset-password", as: "sheng")
            #expect(reset == .notFound)
            #expect(try await user(app, "quanguo").passwordHash == before)
            let (disable, _) = try await post(app, "/api/v1/users/\(quanguo.id!)/disable", as: "sheng")
            #expect(disable == .notFound)
            #expect(try await user(app, "quanguo").disabled == false)
            // Nor create accounts outside its province, or the region-less ones the whole tree shares.
            for (role, region) in [("city", "900100"), ("province", "000000"), ("reviewer", "")] {
                let (status, body) = try await post(app, "/api/v1/users", as: "sheng",
                                                    ["role": .text(role), "username": .text("x\(role)1"), "displayName": .text("越权账户"),
                                                     "regionCode": .text(region), "password": .text("Xinmima2026abc")])
                #expect(status == .unprocessableEntity, "\(role): \(body)")
            }
            #expect(try await UserModel.query(on: app.db).filter(\.$displayName == "越权账户").count() == 0)
            // 全国 manages Sichuan's.
            let sheng = try await user(app, "sheng")
            let (national, _) = try await post(app, "/api/v1/users/\(sheng.id!)/reset-password", as: "quanguo")
            #expect(national == .ok)
        }
    }

    @Test func whatTheWholeTreeSharesIsTheTopOfficesAlone() async throws {
        try await NationalScaleTests().withNation { app in
            let deadline: [String: AnyEncodableValue] = ["task": .text("contacts"), "year": .text("2017"), "deadline": .text("2017-04-10")]
            let (refused, _) = try await post(app, "/api/v1/timeliness/deadlines", as: "sheng", deadline)
            #expect(refused == .forbidden)
            let (moved, body) = try await post(app, "/api/v1/timeliness/deadlines", as: "quanguo", deadline)
            #expect(moved.code < 300, "\(body)")
            let project: [String: AnyEncodableValue] = ["name": .text("越权新增的合作项目"), "organiser": .text("四川省教育厅"),
                                                        "startYear": .number(2016), "endYear": .number(2016), "pilotRegions": .list(["900104"])]
            let (added, _) = try await post(app, "/api/v1/projects", as: "sheng", project)
            #expect(added == .forbidden)
            #expect(try await ProjectModel.query(on: app.db).filter(\.$name == "越权新增的合作项目").count() == 0)
        }
    }

    @Test func jobsRunInTheOwnersProvinceAndStayHidden() async throws {
        try await NationalScaleTests().withNation { app in
            // A job re-derives its owner's scope when it runs: the province, not the nation.
            let shengModel = try await user(app, "sheng")
            let sheng = try CurrentUser(shengModel, channel: .session, regions: app.regions)
            #expect(sheng.scope == .province("510000") && !sheng.isTopOffice)
            let payload = ExportJob.Payload(source: .teachers, query: "format=csv", format: "csv", title: "教师名册", rows: 1)
            let own = try await app.jobs.enqueue(.export, payload: payload, owner: sheng, address: "127.0.0.1",
                                                 regionCode: shengModel.regionCode, on: app.db, clock: app.clock)
            let context = try await JobContext(job: own, app: app, queue: app.jobs)
            #expect(context.owner.scope == .province("510000"))
            let teachers = try await TeacherModel.query(on: app.db).scoped(to: context.owner.scope).count()
            #expect(teachers == DemoProvinceGenerator.cityFigures(scale: .small).reduce(0) { $0 + $1.figures.total })

            // Another office's job: 全国 sees it, Sichuan does not.
            let quanguoModel = try await user(app, "quanguo")
            let national = try CurrentUser(quanguoModel, channel: .session, regions: app.regions)
            #expect(national.isTopOffice)
            let theirs = try await app.jobs.enqueue(.export, payload: payload, owner: national, address: "127.0.0.1",
                                                    regionCode: quanguoModel.regionCode, on: app.db, clock: app.clock)
            try await app.testing().test(.GET, "/api/v1/jobs/\(theirs.id!)", headers: try await TestUsers.bearer(app, "sheng")) { response in
                #expect(response.status == .notFound)
            }
            try await app.testing().test(.GET, "/api/v1/jobs", headers: try await TestUsers.bearer(app, "sheng")) { response in
                let list = try response.content.decode(JobsController.ListDTO.self)
                #expect(list.total == 1 && list.jobs.map(\.job.id) == [own.id!])
            }
            try await app.testing().test(.GET, "/api/v1/jobs", headers: try await TestUsers.bearer(app, "quanguo")) { response in
                let list = try response.content.decode(JobsController.ListDTO.self)
                #expect(list.total == 2)
            }
        }
    }
}

extension NationalScopeTests {
    /// The scope matrix at scale 2: Sichuan's office walks every route aimed at 模拟省01 — its
    /// regions, a school, a teacher, a certificate and 全国's account — and sees none of it.
    @Test func noRouteShowsAProvinceBelowTheNationAnotherProvince() async throws {
        try await NationalScaleTests().withNation { app in
            struct Row: Decodable { let id: Int }
            func firstID(_ table: String, county: String) async throws -> Int {
                try #require(try await app.sql.raw("SELECT id FROM \(ident: table) WHERE county_code = \(bind: county) ORDER BY id LIMIT 1")
                    .first(decoding: Row.self)).id
            }
            _ = try await CertificateIssuance(application: app, actor: .commandLine).issue(regionCode: "900104")
            let certificate = try #require(try await CertificateModel.query(on: app.db).filter(\.$countyCode == "900104").first())
            let reach = ScopeMatrixTests.Outside(
                forbiddenText: ["模拟省01", "模拟01", "全国执行办", "全国（测试）"],
                schoolID: try await firstID("schools", county: "900104"), teacherID: try await firstID("teachers", county: "900104"),
                userID: try await user(app, "quanguo").id!, certificateNumber: certificate.number)
            var checked = 0
            for region in ["900000", "900100", "900104", "000000"] {
                checked += try await ScopeMatrixTests.walk(SiteURL.allRoutes, app: app, as: "sheng", reach: reach, outOfScopeRegion: region, belowTheTop: true)
            }
            #expect(checked == 4 * SiteURL.allRoutes.count)
        }
    }
}
