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
            let (refused, message) = try await post(app, "/api/v1/timeliness/deadlines", as: "sheng", deadline)
            #expect(refused == .forbidden)
            #expect(message.contains("由全国执行办统一办理"), "\(message)")
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
    /// regions, a school, a teacher, a certificate, a transfer, a qualified-list entry, a reissue
    /// request, 全国's account and job, a city's snapshot, a proposed list — and sees none of it.
    @Test func noRouteShowsAProvinceBelowTheNationAnotherProvince() async throws {
        try await NationalScaleTests().withNation { app in
            struct Row: Decodable { let id: Int }
            func firstID(_ table: String, county: String) async throws -> Int {
                try #require(try await app.sql.raw("SELECT id FROM \(ident: table) WHERE county_code = \(bind: county) ORDER BY id LIMIT 1")
                    .first(decoding: Row.self)).id
            }
            _ = try await CertificateIssuance(application: app, actor: .commandLine).issue(regionCode: "900104")
            let certificate = try #require(try await CertificateModel.query(on: app.db).filter(\.$countyCode == "900104").first())
            // Something of every kind in 模拟省01, so that a 404 says "not yours", not "none".
            let school = try await firstID("schools", county: "900104"), teacher = try await firstID("teachers", county: "900104")
            let transfer = try await ScopeMatrixTests.transfer(app, teacher: teacher, school: school, from: "900104", to: "900105")
            let entry = try await ScopeMatrixTests.entry(app, batch: try await ScopeMatrixTests.batch(app), county: "900104",
                                                         name: "模拟01锦江区名单教师", body: "11010419800101001")
            let reissue = try await ScopeMatrixTests.reissueRequest(app, certificate.number)
            var reach = ScopeMatrixTests.Outside(
                forbiddenText: ["模拟省01", "模拟01", "全国执行办", "全国（测试）"],
                schoolID: school, teacherID: teacher, userID: try await user(app, "quanguo").id!, certificateNumber: certificate.number)
            reach.transferID = transfer
            reach.entryID = entry
            reach.reissueRequestID = reissue.request
            reach.reissueRoundID = reissue.round
            reach.jobID = try await ScopeMatrixTests.job(app, owner: "quanguo", region: "900104")
            reach.snapshotID = try await ScopeMatrixTests.snapshot(app, city: "900100")
            reach.proposalID = try await ScopeMatrixTests.proposal(app, by: "jigou", county: "900104", name: "模拟01锦江区拟定名单教师")
            // The top office reaches each of them, so that Sichuan's 404s below are about scope.
            let top = try await TestUsers.session(app, "quanguo")
            for path in ["/jobs/\(reach.jobID)", "/frozen/\(reach.snapshotID)", "/proposals/\(reach.proposalID)"] {
                try await app.testing().test(.GET, path, headers: top.headers) { response in
                    #expect(response.status == .ok && response.body.string.contains("模拟01"), "quanguo GET \(path) → \(response.status)")
                }
            }
            var checked = 0
            for region in ["900000", "900100", "900104", "000000"] {
                checked += try await ScopeMatrixTests.walk(SiteURL.allRoutes, app: app, as: "sheng", reach: reach, outOfScopeRegion: region)
            }
            #expect(checked == 4 * SiteURL.allRoutes.count)
        }
    }
}

extension NationalScopeTests {
    /// The title check looks teachers up in the office's own subtree: another province's teacher
    /// is "not found" to Sichuan's office, and the certificate names the county's own province.
    @Test func theTitleCheckAndCertificatesKeepToTheirProvince() async throws {
        try await NationalScaleTests().withNation { app in
            _ = try await CertificateIssuance(application: app, actor: .commandLine).issue(regionCode: "900104")
            let certificate = try #require(try await CertificateModel.query(on: app.db).filter(\.$countyCode == "900104").first())
            #expect(try certificate.snapshot().region.hasPrefix("模拟省01"), "not 全国…")
            let teacher = try #require(try await TeacherModel.find(certificate.teacherID, on: app.db))
            let body: [String: AnyEncodableValue] = ["residentId": .text(teacher.residentID), "name": .text(teacher.name),
                                                     "applicationDate": .text("2026-06-01")]
            for (username, found) in [("sheng", false), ("quanguo", true), ("pingshen", true)] {
                let (status, text) = try await post(app, "/api/v1/title-check", as: username, body)
                #expect(status == .ok, "\(username): \(text)")
                #expect(text.contains(certificate.number) == found, "\(username): \(text)")
            }
        }
    }

    /// A menu, a template list and a 待办 board below 全国 offer nothing that answers 404 there.
    @Test func aProvinceBelowTheNationIsNotOfferedTheTopOfficesPages() async throws {
        try await NationalScaleTests().withNation { app in
            for (username, offered) in [("sheng", false), ("quanguo", true)] {
                try await app.testing().test(.GET, "/templates", headers: try await TestUsers.bearer(app, username)) { response in
                    #expect(response.status == .ok)
                    #expect(response.body.string.contains("合作项目合格人员名单") == offered, "\(username)")
                    #expect(response.body.string.contains("机构上报名单") == offered, "\(username)")
                }
            }
        }
    }

    /// `/readyz` notices a tree that changed under a running instance (a server started before
    /// `peixun demo --scale N` filled its database), reads it again and answers 503 once.
    @Test func readinessReloadsATreeThatChangedUnderTheInstance() async throws {
        try await withTestApp { app in
            _ = try await DemoLoader(database: app.db, nation: DemoNationGenerator(scale: 2, size: .small, seed: 11)).load()
            #expect(app.regions.nationalRoot == nil)
            try await app.testing().test(.GET, "/readyz") { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.body.string.contains("行政区划"))
            }
            #expect(app.regions.nationalRoot != nil)
            try await app.testing().test(.GET, "/readyz") { #expect($0.status == .ok) }
        }
        // The job runner reads it again before it takes a job.
        try await withTestApp { app in
            _ = try await DemoLoader(database: app.db, nation: DemoNationGenerator(scale: 2, size: .small, seed: 11)).load()
            #expect(app.regions.nationalRoot == nil)
            _ = try await app.jobs.runPending(app)
            #expect(app.regions.nationalRoot != nil)
        }
    }

    /// The audit log files a change at the lowest region holding it, a province below 全国 included.
    @Test func auditEntriesAreFiledWhereTheirOfficeReadsThem() {
        let nation = RegionDirectory.national(scale: 2)
        #expect(AuditLog.regionColumns("510000", directory: nation) == (nil, "510000"))
        #expect(AuditLog.regionColumns("000000", directory: nation) == (nil, nil))
        #expect(AuditLog.regionColumns("510000", directory: .sichuan) == (nil, nil))
        func filed(_ counties: [String], _ directory: RegionDirectory) -> (county: String?, city: String?, cities: String?) {
            let filing = AuditLog.filing(counties: counties, directory: directory)
            return (filing.columns.county, filing.columns.city, filing.changes[AuditLog.citiesKey]?.after)
        }
        #expect(filed(["510104"], nation) == ("510104", "510100", nil))
        #expect(filed(["510104", "510105"], nation) == (nil, "510100", nil))
        // Above one city, the cities it touched are listed, so that other cities' tables are not charged with it.
        #expect(filed(["510302", "510104", "510105"], nation) == (nil, "510000", "510100,510300"))
        #expect(filed(["510104", "510302"], .sichuan) == (nil, nil, "510100,510300"))
        #expect(filed(["510104", "900104"], nation) == (nil, nil, "510100,900100"))
        // 510000 lies in Sichuan's range of city codes, so its office's log reads it.
        #expect(RegionScope.provinceCityCodes("510000").contains("510000"))
    }
}

/// The province filter as a range of codes, on the database: the same rows as the prefix.
@Suite struct ProvinceRangeTests {
    @Test func theRangeHoldsExactlyTheProvincesCodes() async throws {
        try await withTestApp { app in
            try await app.sql.raw("CREATE TABLE range_probe (city_code VARCHAR(12))").run()
            for code in ["509999", "510000", "510100", "519999", "520000", "900000", "900100", "910000"] {
                try await app.sql.raw("INSERT INTO range_probe (city_code) VALUES (\(bind: code))").run()
            }
            try await app.sql.raw("INSERT INTO range_probe (city_code) VALUES (NULL)").run()
            struct Row: Decodable { let city_code: String }
            for (province, expected) in [("510000", ["510000", "510100", "519999"]), ("900000", ["900000", "900100"])] {
                let rows = try await app.sql.raw("""
                    SELECT city_code FROM range_probe WHERE \(RegionScope.province(province).predicate()) ORDER BY city_code
                    """).all(decoding: Row.self)
                #expect(rows.map(\.city_code) == expected)
                // Negated, the predicate still reads as one condition.
                let outside = try await app.sql.raw("""
                    SELECT city_code FROM range_probe WHERE city_code IS NOT NULL AND NOT \(RegionScope.province(province).predicate())
                    """).all(decoding: Row.self)
                #expect(outside.count == 8 - expected.count)
            }
        }
    }
}

extension NationalScopeTests {
    /// A province account left without a region keeps the reach it had: the top of the tree.
    @Test func provinceAccountsWithoutARegionArePlacedOnTheTop() async throws {
        try await NationalScaleTests().withNation { app in
            let old = UserModel()
            old.username = "laozhanghu"
            old.displayName = "旧省级账户"
            old.passwordHash = TestUsers.hash
            old.role = Role.province.rawValue
            old.regionCode = nil
            old.disabled = false
            try await old.create(on: app.db)
            #expect(try CurrentUser(old, channel: .token, regions: app.regions).scope == .none)
            try await PlaceProvinceAccounts().prepare(on: app.db)
            let placed = try await user(app, "laozhanghu")
            #expect(placed.regionCode == "000000")
            #expect(try CurrentUser(placed, channel: .token, regions: app.regions).scope == .all)
            #expect(try await user(app, "sheng").regionCode == "510000")
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "user").filter(\.$objectID == String(placed.id!)).count() == 1)
            try await PlaceProvinceAccounts().prepare(on: app.db)
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "user").filter(\.$objectID == String(placed.id!)).count() == 1)
        }
    }
}
