import Fluent
import Foundation
import PeixunCore
import Testing
import VaporTesting
@testable import PeixunServer

/// Frozen tables: approving a city's Appendix 3 (or its integration list) keeps the table as
/// approved; later changes show cell by cell; the approved workbook still downloads as it was.
@Suite struct FrozenTableTests {
    let plans = PlanTests()

    /// Every county of 成都市 fills in 10 / 40 and submits, the city submits, the province approves.
    func approveChengdu(_ app: Application) async throws {
        for county in app.regions.counties(in: "510100").map(\.code) {
            let user = try await TestUsers.createCountyUser(app, county: county)
            try await plans.put(app, county, as: user.username, ["provincialDemand": 10, "localPlan": 40])
            try await plans.post(app, "\(county)/submit", as: user.username)
        }
        try await plans.post(app, "510100/submit", as: "chengdu", ["filler": "李华", "phone": "028-86115370"])
        try await plans.post(app, "510100/approve", as: "sheng")
    }

    func detail(_ app: Application, _ id: Int, as username: String, status: HTTPStatus = .ok) async throws -> FrozenController.Detail? {
        var detail: FrozenController.Detail?
        try await app.testing().test(.GET, "/api/v1/frozen/\(id)", headers: try await TestUsers.bearer(app, username)) { response in
            #expect(response.status == status, "\(response.body.string)")
            if status == .ok { detail = try response.content.decode(FrozenController.Detail.self) }
        }
        return detail
    }

    @Test func approvingAPlanKeepsItAndLaterChangesShowCellByCell() async throws {
        try await withTestApp(demo: .small) { app in
            try await approveChengdu(app)
            let frozen = try #require(try await FrozenTableModel.query(on: app.db).first())
            #expect(frozen.kind == "plan" && frozen.subjectID == 2017 && frozen.regionCode == "510100" && frozen.approvedBy == "sheng")
            let audit = try #require(try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "plan").filter(\.$action == "approve").first())
            #expect(audit.summary.contains("已保存审核时的附件3"))

            var before = try #require(try await detail(app, frozen.id!, as: "chengdu"))
            #expect(before.changes.isEmpty && before.snapshot.current && before.rows.last?.name == "小计")
            let counties = app.regions.counties(in: "510100").count
            #expect(before.rows.count == counties + 1 && before.rows[0].cells[7] == "40")

            // A later correction of 锦江区's row (after the approval) shows against the approved table.
            let plan = try #require(try await PlanModel.query(on: app.db).filter(\.$countyCode == "510104").first())
            plan.localPlan = 55
            plan.remarks = "<b>补录</b>"
            plan.updatedBy = "jinjiang"
            plan.updatedAt = frozen.approvedAt.addingTimeInterval(3600)
            try await plan.update(on: app.db)
            before = try #require(try await detail(app, frozen.id!, as: "sheng"))
            let changes = before.changes.map { "\($0.name)/\($0.column): \($0.approved ?? "-") → \($0.now ?? "-")" }
            #expect(changes == ["锦江区/市县级培训计划数: 40 → 55", "锦江区/备注: 市县级培训未纳入省级平台 → 市县级培训未纳入省级平台：<b>补录</b>",
                                "小计/市县级培训计划数: \(40 * counties) → \(40 * counties + 15)"]
                    || changes == ["锦江区/市县级培训计划数: 40 → 55", "锦江区/备注:  → <b>补录</b>", "小计/市县级培训计划数: \(40 * counties) → \(40 * counties + 15)"],
                    "\(changes)")
            #expect(before.changes[0].changedBy == "jinjiang")

            // The page names the cell, escapes what was typed, and offers the approved workbook.
            try await app.testing().test(.GET, "/frozen/\(frozen.id!)", headers: try await TestUsers.session(app, "chengdu").headers) { response in
                let body = response.body.string
                #expect(response.status == .ok && body.contains("与审核版本的差异") && body.contains("市县级培训计划数") && body.contains("<strong>55</strong>"))
                #expect(!body.contains("<b>补录</b>") && body.contains("&lt;b&gt;补录&lt;/b&gt;"))
                #expect(body.contains("/frozen/\(frozen.id!)/xlsx"))
            }
            try await app.testing().test(.GET, "/frozen", headers: try await TestUsers.session(app, "sheng").headers) { response in
                #expect(response.status == .ok && response.body.string.contains("成都市") && response.body.string.contains("审核版本"))
            }

            // The approved workbook is Appendix 3 as it was: 40, not 55; the live export has 55.
            let directory = NSTemporaryDirectory() + "peixun-frozen-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let auditBefore = try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "frozen_table").count()
            try await app.testing().test(.GET, "/frozen/\(frozen.id!)/xlsx", headers: try await TestUsers.session(app, "chengdu").headers) { response in
                #expect(response.status == .ok)
                let path = directory + "/frozen.xlsx"
                try Data(buffer: response.body).write(to: URL(fileURLWithPath: path))
                let rows = try convertToCSV(path, directory: directory)
                #expect(rows[1][0] == "2017年市(州)县(区)能力提升工程培训计划及执行情况")
                #expect(rows[2][0] == "市(州)教育行政部门(盖章)：成都市" && rows[2][5] == "填表人：李华" && rows[2][8] == "联系电话：028-86115370")
                let jinjiang = try #require(rows.first { $0.count > 9 && $0[1] == "锦江区" })
                #expect(jinjiang[8] == "10" && jinjiang[9] == "40")
                let total = try #require(rows.first { $0.first == "小计" })
                #expect(total[9] == String(40 * counties))
            }
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "frozen_table").count() == auditBefore + 1)
            try await app.testing().test(.GET, "/plans/export?year=2017&region=510100", headers: try await TestUsers.session(app, "sheng").headers) { response in
                let path = directory + "/live.xlsx"
                try Data(buffer: response.body).write(to: URL(fileURLWithPath: path))
                let rows = try convertToCSV(path, directory: directory)
                #expect(rows.first { $0.count > 9 && $0[1] == "锦江区" }?[9] == "55")
            }

            // Reopening: the snapshot stays readable but is no longer the approved version.
            try await plans.post(app, "510100/reopen", as: "sheng")
            #expect(try await detail(app, frozen.id!, as: "sheng")?.snapshot.current == false)
        }
    }

    @Test func snapshotsAreScopedAndUnknownOnesAreNotFound() async throws {
        try await withTestApp(demo: .small) { app in
            try await approveChengdu(app)
            let frozen = try #require(try await FrozenTableModel.query(on: app.db).first())
            _ = try await detail(app, frozen.id!, as: "zigong", status: .notFound)
            _ = try await detail(app, frozen.id!, as: "jinjiang", status: .notFound)
            _ = try await detail(app, 999_999, as: "sheng", status: .notFound)
            for (username, count) in [("sheng", 1), ("chengdu", 1), ("zigong", 0)] {
                try await app.testing().test(.GET, "/api/v1/frozen", headers: try await TestUsers.bearer(app, username)) { response in
                    #expect(response.status == .ok)
                    let list = try response.content.decode([FrozenController.Summary].self)
                    #expect(list.count == count, "\(username)")
                }
            }
            try await app.testing().test(.GET, "/frozen/\(frozen.id!)/xlsx", headers: try await TestUsers.session(app, "zigong").headers) { response in
                #expect(response.status == .notFound)
            }
            try await app.testing().test(.GET, "/api/v1/frozen?kind=bogus", headers: try await TestUsers.bearer(app, "sheng")) { response in
                #expect(response.status == .unprocessableEntity && response.body.string.contains("表格类别无效"))
            }
        }
    }

    /// The summary is kept by the approval itself (the engine's transition, then the hook), never
    /// outside it: freezing a unit that no approval stands behind is refused.
    @Test func theIntegrationSummaryIsKeptAndItsChangesShow() async throws {
        try await withTestApp(demo: .small) { app in
            let integration = IntegrationTests()
            let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").sort(\.$id).first()!
            _ = try await integration.importList(app, school: school.name)
            let batch = try #require(try await IntegrationBatchModel.query(on: app.db).first())
            let b = batch.id!
            let chengdu = try #require(app.regions.region(code: "510100"))
            await #expect(throws: AppError.self) {
                _ = try await FrozenTables(database: app.db, regions: app.regions).freeze(.summary, workflow: .integration, subject: b, region: chengdu)
            }
            let jinjiang = try await integration.county(app, batch: b, as: "jinjiang")
            try await integration.post(app, "/api/v1/integration/entries/\(jinjiang.entries[0].id)/verify", as: "jinjiang",
                                       ["certificateNumber": "YD2016-1", "school": school.name], status: .ok)
            for county in ["jinjiang", "qingyang"] { try await integration.post(app, "/api/v1/integration/\(b)/submit", as: county, status: .ok) }
            try await integration.post(app, "/api/v1/integration/\(b)/submit-city", as: "chengdu", status: .ok)
            try await integration.post(app, "/api/v1/integration/\(b)/approve", as: "sheng", ["city": "510100"], status: .ok)
            let frozen = try #require(try await FrozenTableModel.query(on: app.db).filter(\.$kind == "summary").first())
            #expect(frozen.approvedBy == "sheng" && frozen.regionCode == "510100")
            var detail = try #require(try await detail(app, frozen.id!, as: "sheng"))
            #expect(detail.changes.isEmpty && detail.columns.contains("2016年核实人数"))

            // The same project's list of the next year: 锦江区 verifies one, and the approved summary shows who and when.
            let directory = NSTemporaryDirectory() + "peixun-frozen-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let url = URL(fileURLWithPath: directory + "/list-2017.csv")
            try integration.list(school: school.name).write(to: url, atomically: true, encoding: .utf8)
            _ = try await QualifiedListImporter(database: app.db, regions: app.regions, actor: .commandLine)
                .run(url: url, fileName: "list-2017.csv", options: .init(dryRun: false, projectID: batch.projectID, year: 2017))
            let next = try #require(try await IntegrationBatchModel.query(on: app.db).filter(\.$year == 2017).first())
            let again = try await integration.county(app, batch: next.id!, as: "jinjiang")
            try await integration.post(app, "/api/v1/integration/entries/\(again.entries[1].id)/verify", as: "jinjiang",
                                       ["certificateNumber": "YD2017-1", "school": school.name], status: .ok)
            detail = try #require(try await self.detail(app, frozen.id!, as: "chengdu"))
            #expect(detail.changes.map { "\($0.name)/\($0.column): \($0.approved ?? "-") → \($0.now ?? "-")" }
                    == ["锦江区/2017年分配人数: 0 → \(again.entries.count)", "锦江区/2017年核实人数: 0 → 1",
                        "青羊区/2017年分配人数: 0 → 1", "小计/2017年分配人数: 0 → \(again.entries.count + 1)", "小计/2017年核实人数: 0 → 1"],
                    "\(detail.changes)")
            let verified = try #require(detail.changes.first { $0.name == "锦江区" && $0.column == "2017年核实人数" })
            #expect(verified.changedBy == "jinjiang" && verified.changedAt != nil)
            #expect(detail.changes.first { $0.name == "小计" }?.changedBy == "jinjiang")
            try await app.testing().test(.GET, "/frozen/\(frozen.id!)", headers: try await TestUsers.session(app, "chengdu").headers) { response in
                #expect(response.body.string.contains("jinjiang · "))
            }
            try await app.testing().test(.GET, "/frozen/\(frozen.id!)/xlsx", headers: try await TestUsers.session(app, "sheng").headers) { response in
                #expect(response.status == .ok)
                let path = directory + "/summary.xlsx"
                try Data(buffer: response.body).write(to: URL(fileURLWithPath: path))
                let rows = try convertToCSV(path, directory: directory)
                #expect(rows.contains { $0.contains("锦江区") })
                #expect(rows.joined().joined().contains("中国移动"))
            }
            // The live summary's paper line: 填表人 is whoever exports it, the phone the city's contact (附件4).
            let contact = ContactModel()
            contact.year = 2017
            contact.regionCode = "510100"
            contact.department = "教师工作处"
            contact.person = "王敏"
            contact.title = "科长"
            contact.officePhone = "028-86115370"
            contact.mobile = ""
            contact.email = "a@b.cn"
            contact.updatedBy = "chengdu"
            contact.updatedAt = Date()
            try await contact.create(on: app.db)
            try await app.testing().test(.GET, "/integration/summary?project=\(batch.projectID)&region=510100&format=xlsx",
                                         headers: try await TestUsers.session(app, "chengdu").headers) { response in
                #expect(response.status == .ok)
                let path = directory + "/live-summary.xlsx"
                try Data(buffer: response.body).write(to: URL(fileURLWithPath: path))
                let line = try convertToCSV(path, directory: directory)[1][0]
                #expect(line.hasPrefix("成都市教育行政部门（盖章）") && line.contains("填表人：chengdu（测试）") && line.contains("联系电话：028-86115370"), "\(line)")
            }
        }
    }
}
