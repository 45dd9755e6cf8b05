import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// Appendix 1 on the approval engine: counties confirm their year, the city checks (and may
/// send back) and submits, the province approves and the city's Appendix 1 is kept cell by
/// cell; later changes show with who made them; the approved workbook downloads as it was.
@Suite struct ProgressApprovalTests {
    func view(_ app: Application, _ query: String, as username: String, status: HTTPStatus = .ok) async throws -> ProgressApprovalDesk.ViewDTO? {
        var view: ProgressApprovalDesk.ViewDTO?
        try await app.testing().test(.GET, "/api/v1/reports/progress/approval?\(query)", headers: try await TestUsers.bearer(app, username)) { response in
            #expect(response.status == status, "\(query) as \(username): \(response.body.string)")
            if status == .ok { view = try response.content.decode(ProgressApprovalDesk.ViewDTO.self) }
        }
        return view
    }

    @discardableResult
    func post(_ app: Application, _ decision: String, as username: String, year: Int = 2017, region: String? = nil, reason: String? = nil,
              status: HTTPStatus = .ok) async throws -> String {
        struct Body: Content { let year: Int; let region: String?; let reason: String? }
        var body = ""
        try await app.testing().test(.POST, "/api/v1/reports/progress/approval/\(decision)", headers: try await TestUsers.bearer(app, username),
                                     beforeRequest: { try $0.content.encode(Body(year: year, region: region, reason: reason), as: .json) }) { response in
            #expect(response.status == status, "\(decision) \(region ?? "") as \(username): \(response.body.string)")
            body = response.body.string
        }
        return body
    }

    /// Every county of 成都市 but those in `except` confirms 2017.
    func countiesConfirm(_ app: Application, except: Set<String> = []) async throws {
        for county in app.regions.counties(in: "510100").map(\.code) where !except.contains(county) {
            try await post(app, "submit", as: try await TestUsers.createCountyUser(app, county: county).username)
        }
    }

    func todo(_ app: Application, as username: String) async throws -> [TodoBoard.Item] {
        var items: [TodoBoard.Item] = []
        try await app.testing().test(.GET, "/api/v1/todo", headers: try await TestUsers.bearer(app, username)) { response in
            items = try response.content.decode(TodoBoard.Board.self).items
        }
        return items
    }

    @Test func countiesConfirmTheCitySubmitsTheProvinceApprovesAndTheTableIsKept() async throws {
        try await withTestApp(demo: .small) { app in
            app.clock = FixedClock(CivilDate(year: 2017, month: 12, day: 20)!)
            // The city cannot submit before its counties; the message names those still open.
            try await post(app, "submit", as: "jinjiang")
            let refused = try await post(app, "submit", as: "chengdu", status: .conflict)
            #expect(refused.contains("青羊区") && !refused.contains("锦江区"), "\(refused)")
            try await post(app, "approve", as: "jinjiang", region: "510104", status: .unprocessableEntity)
            try await post(app, "submit", as: "jinjiang", status: .conflict)
            try await countiesConfirm(app, except: ["510104"])

            // The city sends 锦江区 back with a reason; 锦江区 sees it and confirms again.
            try await post(app, "send-back", as: "chengdu", region: "510104", status: .unprocessableEntity)
            try await post(app, "send-back", as: "zigong", region: "510104", reason: "x", status: .notFound)
            try await post(app, "send-back", as: "chengdu", region: "510104", reason: "请核对<b>幼儿园</b>专任教师数")
            let own = try #require(try await view(app, "year=2017", as: "jinjiang")?.unit)
            #expect(own.state == "returned" && own.returnedReason == "请核对<b>幼儿园</b>专任教师数" && own.actions.maySubmit)
            #expect(try await todo(app, as: "jinjiang").contains { $0.url == "/reports/progress/approval?year=2017" && $0.title.contains("已退回") && $0.action })
            try await post(app, "submit", as: "jinjiang")
            let city = try #require(try await view(app, "year=2017", as: "chengdu"))
            #expect(city.unit?.actions.maySubmit == true && city.units.count == app.regions.counties(in: "510100").count)
            #expect(city.units.allSatisfy { $0.state == "submitted" && !$0.late && $0.figures.total > 0 })
            try await post(app, "submit", as: "chengdu")
            #expect(try await todo(app, as: "sheng").contains { $0.url == "/reports/progress/approval?year=2017" && $0.title.hasPrefix("待审核：2017年") })

            // The province approves: the city's Appendix 1 is kept, the step audited; the timeliness counts it.
            let province = try #require(try await view(app, "year=2017", as: "sheng"))
            #expect(province.unit == nil && province.units.first { $0.code == "510100" }?.actions.mayApprove == true)
            #expect(province.units.first { $0.code == "510300" }?.actions.mayApprove == false)
            try await post(app, "approve", as: "chengdu", region: "510100", status: .unprocessableEntity)
            try await post(app, "approve", as: "sheng", region: "510100")
            let frozen = try #require(try await FrozenTableModel.query(on: app.db).filter(\.$kind == "progress").first())
            #expect(frozen.subjectID == 2017 && frozen.regionCode == "510100" && frozen.approvedBy == "sheng" && frozen.title.hasPrefix("2017年 成都市"))
            let audit = try #require(try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "progress_report").filter(\.$action == "approve").first())
            #expect(audit.summary.contains("已保存审核时的附件1"))
            try await app.testing().test(.GET, "/api/v1/timeliness?task=completion&year=2017", headers: try await TestUsers.bearer(app, "sheng")) { response in
                let report = try response.content.decode(TimelinessService.Report.self)
                #expect(report.onTime == 1 && report.units.first { $0.code == "510100" }?.status == "onTime")
            }
            #expect(try await view(app, "year=2017&region=510100", as: "sheng")?.unit?.snapshotURL == "/frozen/\(frozen.id!)")
            for (query, count) in [("year=2017", 1), ("year=2016", 0), ("kind=progress&year=2017", 1)] {
                try await app.testing().test(.GET, "/api/v1/frozen?\(query)", headers: try await TestUsers.bearer(app, "sheng")) { response in
                    let list = try response.content.decode([FrozenController.Summary].self)
                    #expect(list.count == count && list.allSatisfy { $0.year == 2017 }, "\(query)")
                }
            }
            try await app.testing().test(.GET, "/frozen?year=2017", headers: try await TestUsers.session(app, "sheng").headers) { response in
                #expect(response.body.string.contains("aria-current=\"page\">2017年</a>") && response.body.string.contains(">全部</a>"))
            }
            try await post(app, "submit", as: "jinjiang", status: .conflict)

            // Later, 锦江区's official count changes through an import: the cells show it, and who.
            let count = try #require(try await OfficialCountModel.query(on: app.db).filter(\.$countyCode == "510104")
                .filter(\.$stage == "kindergarten").sort(\.$schoolYear, .descending).first())
            count.teachers += 7
            try await count.update(on: app.db)
            let logged = AuditEntryModel()
            logged.occurredAt = frozen.approvedAt.addingTimeInterval(3600)
            logged.username = "jinjiang"
            logged.address = "127.0.0.1"
            logged.action = "import"
            logged.objectType = "official_counts"
            logged.countyCode = "510104"
            logged.cityCode = "510100"
            logged.changes = "{}"
            logged.summary = "导入专任教师数"
            try await logged.create(on: app.db)
            func currentChanges() async throws -> [FrozenController.Change] {
                var detail: FrozenController.Detail?
                try await app.testing().test(.GET, "/api/v1/frozen/\(frozen.id!)", headers: try await TestUsers.bearer(app, "chengdu")) { response in
                    detail = try response.content.decode(FrozenController.Detail.self)
                }
                return try #require(detail).changes
            }
            let changes = try await currentChanges()
            let jinjiang = try #require(changes.first { $0.name == "锦江区" && $0.column == "幼儿园" })
            #expect(Int(jinjiang.now ?? "") == Int(jinjiang.approved ?? "")! + 7 && jinjiang.changedBy == "jinjiang")
            #expect(changes.contains { $0.name == "小计" && $0.column == "合计总数" && $0.changedBy == "jinjiang" })
            #expect(Set(changes.map(\.name)) == ["锦江区", "小计"], "\(changes.map(\.name))")

            // Later the province imports counts of two other cities: filed above 成都市, the entry
            // names the cities it touched, so 锦江区's change stays 锦江区's own. One that touches
            // 成都市 as well is charged to its counties.
            func importCounts(_ lines: String, hoursAfter hours: Double) async throws {
                let file = try OfficialCountImportTests().write("县(市、区),学段,专任教师数\n" + lines)
                var options = OfficialCountImporter.Options(schoolYear: count.schoolYear)
                options.dryRun = false
                let province = AuditLog.Actor(userID: nil, username: "sheng", address: "127.0.0.1",
                                              clock: FixedClock(frozen.approvedAt.addingTimeInterval(hours * 3600)))
                let report = try await OfficialCountImporter(database: app.db, regions: app.regions, scope: .all, actor: province)
                    .run(url: file, fileName: "多市专任教师数.csv", options: options).report
                #expect(report.committed && report.errors.isEmpty, "\(report.errors)")
            }
            try await importCounts("自流井区,中小学,2001\n西昌市,中小学,3002\n", hoursAfter: 2)
            #expect(try await currentChanges().first { $0.name == "锦江区" && $0.column == "幼儿园" }?.changedBy == "jinjiang")
            try await importCounts("锦江区,幼儿园,\(count.teachers + 1)\n自流井区,中小学,2002\n", hoursAfter: 3)
            #expect(try await currentChanges().first { $0.name == "锦江区" && $0.column == "幼儿园" }?.changedBy == "sheng")

            // The approved workbook is Appendix 1 as it was; LibreOffice reads it.
            let directory = NSTemporaryDirectory() + "peixun-progress-approval-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try await app.testing().test(.GET, "/frozen/\(frozen.id!)/xlsx", headers: try await TestUsers.session(app, "chengdu").headers) { response in
                #expect(response.status == .ok)
                let path = directory + "/approved.xlsx"
                try Data(buffer: response.body).write(to: URL(fileURLWithPath: path))
                let rows = try convertToCSV(path, directory: directory)
                #expect(rows[0][0].hasPrefix("成都市") && rows[0][0].contains("培训实施情况统计表"))
                let row = try #require(rows.first { $0.first == "锦江区" })
                #expect(row[1] == jinjiang.approved)
            }
            try await app.testing().test(.GET, "/frozen/\(frozen.id!)", headers: try await TestUsers.session(app, "sheng").headers) { response in
                #expect(response.body.string.contains("培训实施情况统计表（附件1）") && response.body.string.contains("sheng · "))
            }

            // Reopening: the snapshot is no longer the approved version; the city may send a county back again.
            try await post(app, "reopen", as: "sheng", region: "510100")
            #expect(try await FrozenTableModel.find(frozen.id, on: app.db)?.reopenedAt != nil)
            #expect(try await view(app, "year=2017", as: "chengdu")?.unit?.snapshotURL == nil)
        }
    }

    @Test func aCountyWithoutOfficialCountsCannotConfirmAndScopeHolds() async throws {
        try await withTestApp(demo: .small) { app in
            try await OfficialCountModel.query(on: app.db).filter(\.$countyCode == "510105").delete()
            let refused = try await post(app, "submit", as: "qingyang", status: .conflict)
            #expect(refused.contains("progress.no_statistics") && refused.contains("青羊区尚未导入"))
            #expect(try await SubmissionModel.query(on: app.db).filter(\.$workflow == "completion").count() == 0)
            _ = try await view(app, "year=2017&region=510100", as: "zigong", status: .notFound)
            _ = try await view(app, "year=2017&region=510105", as: "jinjiang", status: .notFound)
            _ = try await view(app, "year=1999", as: "sheng", status: .unprocessableEntity)
            try await post(app, "approve", as: "sheng", region: "510300", status: .conflict)
            try await post(app, "approve", as: "sheng", region: "510000", status: .unprocessableEntity)
            try await app.testing().test(.GET, "/api/v1/reports/progress/approval", headers: try await TestUsers.bearer(app, "jigou")) { response in
                #expect(response.status == .notFound)
            }
            // The city waits only for the counties that can confirm: 青羊区 cannot, so it does not hold 成都市 back.
            try await countiesConfirm(app, except: ["510105"])
            try await post(app, "submit", as: "chengdu")
            try await post(app, "approve", as: "sheng", region: "510100")
        }
    }

    /// A county without the year's official counts takes no part: the city's page and JSON
    /// name it in one line instead of listing it among the counties to confirm.
    @Test func theCityPageNamesCountiesWithoutStatistics() async throws {
        try await withTestApp(demo: .small) { app in
            let all = try #require(try await view(app, "year=2017&region=510100", as: "chengdu"))
            #expect(all.withoutStatistics.isEmpty && all.withoutStatisticsNote == nil)
            #expect(all.units.contains { $0.code == "510105" })
            try await OfficialCountModel.query(on: app.db).filter(\.$countyCode ~~ ["510105", "510106"]).delete()
            let note = "以下县(市、区)本年度无统计数据（专任教师数），不参与确认：青羊区、金牛区"
            for user in ["chengdu", "sheng"] {
                let city = try #require(try await view(app, "year=2017&region=510100", as: user))
                #expect(city.withoutStatistics.map(\.name) == ["青羊区", "金牛区"] && city.withoutStatisticsNote == note, "\(user)")
                #expect(!city.units.contains { ["510105", "510106"].contains($0.code) } && city.units.contains { $0.code == "510104" })
            }
            // The province's own page lists cities; a county's page has no counties below.
            #expect(try await view(app, "year=2017", as: "sheng")?.withoutStatisticsNote == nil)
            #expect(try await view(app, "year=2017", as: "jinjiang")?.withoutStatisticsNote == nil)
            try await app.testing().test(.GET, "/reports/progress/approval?year=2017", headers: try await TestUsers.session(app, "chengdu").headers) { response in
                #expect(response.text.contains("<p class=\"note\" id=\"without-statistics\">\(note)</p>"))
                #expect(!response.text.contains(">青羊区</a>") && response.text.contains(">锦江区</a>"))
            }
        }
    }

    @Test func thePageShowsTheStepsAndItsFormsNeedTheToken() async throws {
        try await withTestApp(demo: .small) { app in
            let session = try await TestUsers.session(app, "jinjiang")
            try await app.testing().test(.GET, "/reports/progress/approval?year=2017", headers: session.headers) { response in
                let body = response.body.string
                #expect(response.status == .ok && body.contains("确认与审核") && body.contains("确认无误并提交") && body.contains("锦江区"))
                #expect(body.contains("aria-current=\"page\">2017年</a>") && body.contains(session.csrf))
            }
            try await app.testing().test(.POST, "/reports/progress/approval/submit", headers: session.headers,
                                         beforeRequest: { try $0.content.encode(["year": "2017"], as: .urlEncodedForm) }) { response in
                #expect(response.status == .forbidden)
            }
            try await app.testing().test(.POST, "/reports/progress/approval/submit", headers: session.headers, beforeRequest: {
                try $0.content.encode(["year": "2017", "_csrf": session.csrf], as: .urlEncodedForm)
            }) { response in
                #expect(response.status == .seeOther && response.headers.first(name: .location) == "/reports/progress/approval?year=2017&region=510104")
            }
            let city = try await TestUsers.session(app, "chengdu")
            try await app.testing().test(.GET, "/reports/progress/approval?year=2017", headers: city.headers) { response in
                let body = response.body.string
                #expect(body.contains("各县(市、区)") && body.contains("已提交") && body.contains("退回锦江区的原因"))
            }
            try await app.testing().test(.GET, "/reports/progress?year=2017&region=510100", headers: city.headers) { response in
                #expect(response.body.string.contains("/reports/progress/approval?year=2017&amp;region=510100")
                        || response.body.string.contains("/reports/progress/approval?year=2017&region=510100"))
            }
        }
    }

    /// Widening `frozen_tables.kind` keeps the snapshots already taken (SQLite rebuilds the table)
    /// and still refuses a kind the code does not know; reverting refuses `progress` again.
    @Test func theMigrationKeepsEarlierSnapshotsAndTheCheck() async throws {
        try await withTestApp { app in
            func insert(_ kind: String) async throws {
                try await (app.db as! any SQLDatabase).raw("""
                    INSERT INTO frozen_tables (kind, subject_id, region_code, title, approved_by, approver_name, approved_at, grid, payload)
                    VALUES (\(bind: kind), 2017, '510100', '附件3', 'sheng', '省执行办', \(bind: Date()), '{}', '{}')
                    """).run()
            }
            try await insert("plan")
            await #expect(throws: (any Error).self) { try await insert("bogus") }
            try await AllowProgressFrozenTables().revert(on: app.db)
            await #expect(throws: (any Error).self) { try await insert("progress") }
            try await AllowProgressFrozenTables().prepare(on: app.db)
            try await insert("progress")
            let kinds = try await FrozenTableModel.query(on: app.db).sort(\.$id).all().map(\.kind)
            #expect(kinds == ["plan", "progress"])
            await #expect(throws: (any Error).self) { try await insert("bogus") }
        }
    }
}
