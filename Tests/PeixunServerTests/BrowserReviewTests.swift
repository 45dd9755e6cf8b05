import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// The findings of the browser review (issue 17), through the HTTP app: the county's worklist
/// keeps its place and says what it did, nothing is preselected, destructive forms ask first,
/// the audit log speaks Chinese, deadlines and years follow one rule.
@Suite struct BrowserReviewTests {
    let integration = IntegrationTests()

    func form(_ app: Application, _ path: String, _ session: TestUsers.BrowserSession, referer: String? = nil,
              _ fields: [String: String], _ check: (TestingHTTPResponse) async throws -> Void) async throws {
        var headers = session.headers
        if let referer { headers.replaceOrAdd(name: .referer, value: "http://127.0.0.1:8080" + referer) }
        try await app.testing().test(.POST, path, headers: headers, beforeRequest: {
            try $0.content.encode(fields.merging(["_csrf": session.csrf]) { a, _ in a }, as: .urlEncodedForm)
        }, afterResponse: check)
    }

    func page(_ app: Application, _ path: String, _ session: TestUsers.BrowserSession) async throws -> String {
        var html = ""
        try await app.testing().test(.GET, path, headers: session.headers) { response in
            #expect(response.status == .ok, "\(path): \(response.status)")
            html = response.body.string
        }
        return html
    }

    @Test func theWorklistReturnsToTheRowWithAMessageAndNeverPreselectsAReason() async throws {
        try await withTestApp(demo: .small) { app in
            let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").sort(\.$id).first()!
            _ = try await integration.importList(app, school: school.name)
            let b = try await IntegrationBatchModel.query(on: app.db).first()!.id!
            let entries = try await integration.county(app, batch: b, as: "jinjiang").entries
            let session = try await TestUsers.session(app, "jinjiang")

            let list = try await page(app, "/integration/\(b)", session)
            #expect(list.contains("<select name=\"reason\" required aria-label=\"不予认定的原因\"><option value=\"\">请选择原因</option>"))
            #expect(!list.contains(" selected>"), "no reason is chosen for the clerk")
            #expect(list.contains("<tr id=\"entry-\(entries[1].id)\""))
            #expect(list.contains("<input type=\"hidden\" name=\"next\" value=\"\(entries[1].id)\">"), "the first row's forms name the row below")
            #expect(list.contains("<td class=\"school wrap\""), "a long school name wraps in its cell")
            #expect(list.contains("<th class=\"actions-cell\">核实或不予认定</th>"))

            // 核实 on the 全部 tab, page 1: back to the same row, with the message.
            var location = ""
            try await form(app, "/integration/entries/\(entries[0].id)/verify", session, referer: "/integration/\(b)?county=510104",
                           ["certificateNumber": "YD2016-0001", "next": String(entries[1].id)]) { response in
                #expect(response.status == .seeOther)
                location = response.headers.first(name: .location) ?? ""
            }
            #expect(location == "/integration/\(b)?county=510104&done=verify&entry=\(entries[0].id)#entry-\(entries[0].id)")
            var html = try await page(app, String(location.prefix { $0 != "#" }), session)
            #expect(html.contains("<p class=\"success\" role=\"status\">已核实：张伟（证书 YD2016-0001）</p>"))
            #expect(html.contains("<tr id=\"entry-\(entries[0].id)\" class=\"just-done\">"))

            // A missing reason is refused in words; nothing changes.
            try await form(app, "/integration/entries/\(entries[1].id)/reject", session, referer: "/integration/\(b)", ["reason": ""]) { response in
                #expect(response.status == .unprocessableEntity)
                #expect(response.body.string.contains("请选择不予认定的原因"))
            }
            #expect(try await IntegrationEntryModel.find(entries[1].id, on: app.db)?.status == "pending")

            // 不予认定 on the 待核实 tab, page 1 kept: the rejected row leaves the tab, so back to the next one.
            try await form(app, "/integration/entries/\(entries[1].id)/reject", session,
                           referer: "/integration/\(b)?status=pending&done=verify&entry=\(entries[0].id)",
                           ["reason": "certificateNotPresented", "next": String(entries[2].id)]) { response in
                location = response.headers.first(name: .location) ?? ""
            }
            #expect(location == "/integration/\(b)?status=pending&done=reject&entry=\(entries[1].id)#entry-\(entries[2].id)")
            html = try await page(app, String(location.prefix { $0 != "#" }), session)
            #expect(html.contains("<p class=\"success\" role=\"status\">已不予认定：王芳（未出示合格证书）</p>"))

            // Another county's entry in the URL says nothing.
            let qingyang = try await TestUsers.session(app, "qingyang")
            let other = try await page(app, "/integration/\(b)?done=verify&entry=\(entries[0].id)", qingyang)
            #expect(!other.contains("张伟") && !other.contains("role=\"status\""))

            // The submission says so too, and the deadline it met or missed replaces the count of days.
            for entry in entries[2...] {
                try await integration.post(app, "/api/v1/integration/entries/\(entry.id)/verify", as: "jinjiang", ["certificateNumber": "YD-\(entry.id)"], status: .ok)
            }
            try await form(app, "/integration/\(b)/submit", session, referer: "/integration/\(b)", [:]) { response in
                location = response.headers.first(name: .location) ?? ""
            }
            #expect(location == "/integration/\(b)?done=submit")
            html = try await page(app, location, session)
            #expect(html.contains("已提交本县名单，等待市(州)审核。"))
            #expect(html.contains("截止日期 2016-09-30（逾期提交）") && !html.contains("（—）"))
        }
    }

    @Test func destructiveFormsAskFirstAndSayWhatWillHappen() async throws {
        try await withTestApp(demo: .small) { app in
            let session = try await TestUsers.session(app, "chengdu")
            let users = try await page(app, "/users", session)
            #expect(users.components(separatedBy: "<script src=\"/js/confirm.js\" defer></script>").count == 2, "confirm.js once, in the layout")
            #expect(users.contains("data-confirm=\"停用 "))
            #expect(users.contains("的密码？旧密码立即失效"))
            #expect(users.contains("<th class=\"actions-cell\">操作</th>") && users.contains("<td class=\"actions actions-cell\">"))
            try await app.testing().test(.GET, "/js/confirm.js") { response in
                #expect(response.status == .ok && response.body.string.contains("window.confirm"))
            }
        }
    }

    @Test func theCountyRegistryHasNoEmptyRegionDropDown() async throws {
        try await withTestApp(demo: .small) { app in
            let county = try await page(app, "/teachers", try await TestUsers.session(app, "jinjiang"))
            #expect(!county.contains("name=\"region\""))
            let city = try await page(app, "/teachers", try await TestUsers.session(app, "chengdu"))
            #expect(city.contains("<select name=\"region\">") && city.contains("锦江区"))
        }
    }

    @Test func theAuditLogNamesObjectsAndVerificationsInChinese() async throws {
        try await withTestApp(demo: .small) { app in
            let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").sort(\.$id).first()!
            _ = try await integration.importList(app, school: school.name)
            let b = try await IntegrationBatchModel.query(on: app.db).first()!.id!
            let entries = try await integration.county(app, batch: b, as: "jinjiang").entries
            try await integration.post(app, "/api/v1/integration/entries/\(entries[0].id)/verify", as: "jinjiang", ["certificateNumber": "YD-1"], status: .ok)
            // A 核实 logged as 审核通过 before `verify` existed.
            try await AuditLog.record(on: app.db, actor: .commandLine, action: .approve, objectType: "integration_entry", objectID: String(entries[1].id),
                                      countyCode: "510104", cityCode: "510100", summary: "核实 王芳（证书 OLD-1）")
            let logged = try await AuditEntryModel.query(on: app.db).filter(\.$objectID == String(entries[0].id)).first()
            #expect(logged?.action == "verify")

            let session = try await TestUsers.session(app, "jinjiang")
            let html = try await page(app, "/audit", session)
            #expect(html.contains("<td class=\"wrap\">整合名单条目 \(entries[0].id)</td>"), "the object column wraps")
            #expect(!html.contains("integration_entry"))
            #expect(html.contains("<option value=\"verify\">核实</option>"))

            let verified = try await page(app, "/audit?action=verify", session)
            #expect(verified.contains("核实 张伟") && verified.contains("核实 王芳"), "old and new 核实 entries alike")
            let approved = try await page(app, "/audit?action=approve", session)
            #expect(!approved.contains("核实 张伟") && !approved.contains("核实 王芳"))
            #expect(AuditController.actionLabel("reject", objectType: "integration_entry") == "不予认定")
            #expect(AuditController.actionLabel("reject", objectType: "integration_batch") == "退回")
            #expect(AuditController.objectLabel("user", id: "3") == "用户 3")
            #expect(AuditController.objectLabel("teacher_roster", id: String(repeating: "ab", count: 32)) == "教师名册导入 abababababab…")
        }
    }

    @Test func reportsShowTheReportingYearAndOfferOnlyYearsWithData() async throws {
        try await withTestApp(demo: .small) { app in
            let session = try await TestUsers.session(app, "sheng")
            let html = try await page(app, "/reports/progress", session)
            #expect(html.contains("<h1>\(Appendix1.reportYear)年 全省中小学教师信息技术应用能力提升工程培训实施情况统计表</h1>"))
            // The year tabs (`YearTab.bar`), the reporting year marked.
            let tabs = html.components(separatedBy: "aria-label=\"统计年度\">").last?.components(separatedBy: "</nav>").first ?? ""
            #expect(tabs.contains("class=\"current\" aria-current=\"page\">\(Appendix1.reportYear)年</a>"))
            let offered = tabs.components(separatedBy: "</a>").compactMap { Int($0.suffix(5).prefix(4)) }
            let sql = app.db as! any SQLDatabase
            // Years with data or with an open reporting task (the notice's 2017 plan and contacts).
            let allowed = Set(try await ReportingYears.withData(on: sql) + ReportingYears.withOpenTask(on: sql))
            #expect(!offered.isEmpty && offered.allSatisfy { allowed.contains($0) || $0 == Appendix1.reportYear }, "\(offered)")
            #expect(offered.contains(ReportingTask.defaultYear), "the plan year has an open task")
            #expect(!offered.contains(CivilDate.today().year), "no year without data")
            // The landing page is the to-do list; the menu's report link opens the reporting year.
            try await app.testing().test(.GET, "/", headers: session.headers) { response in
                #expect(response.headers.first(name: .location) == "/todo")
            }
            #expect(html.contains("href=\"/reports/progress\">培训实施情况</a>"))
        }
    }
}
