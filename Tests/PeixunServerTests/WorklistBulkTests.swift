import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// 批量核实 through the HTTP app: the worklist's form (ticked rows, or the whole page), its
/// message after the redirect, the API twin, and what is never touched.
@Suite struct WorklistBulkTests {
    let integration = IntegrationTests()
    let review = BrowserReviewTests()

    /// The 2016 list with 锦江区's four entries (张伟, 王芳, 赵敏, 钱进) and 青羊区's 李娜.
    func setUp(_ app: Application) async throws -> (batch: Int, jinjiang: [IntegrationController.EntryDTO], qingyang: Int) {
        let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").sort(\.$id).first()!
        _ = try await integration.importList(app, school: school.name)
        let b = try await IntegrationBatchModel.query(on: app.db).first()!.id!
        let jinjiang = try await integration.county(app, batch: b, as: "jinjiang").entries
        let qingyang = try await integration.county(app, batch: b, as: "qingyang").entries[0].id
        return (b, jinjiang, qingyang)
    }

    /// Posts the worklist's bulk form as the browser sends it (`entries[]=…`, optional `whole`, `shown[]`).
    func bulkForm(_ app: Application, batch: Int, _ session: TestUsers.BrowserSession, referer: String,
                  entries: [String] = [], whole: Bool = false, shown: [String] = [],
                  _ check: (TestingHTTPResponse) async throws -> Void) async throws {
        var headers = session.headers
        headers.replaceOrAdd(name: .referer, value: "http://127.0.0.1:8080" + referer)
        headers.contentType = .urlEncodedForm
        var fields = ["_csrf=" + session.csrf] + entries.map { "entries%5B%5D=" + $0 } + shown.map { "shown%5B%5D=" + $0 }
        if whole { fields.append("whole=1") }
        try await app.testing().test(.POST, "/integration/\(batch)/verify", headers: headers, body: ByteBuffer(string: fields.joined(separator: "&")),
                                     afterResponse: check)
    }

    func status(_ app: Application, _ id: Int) async throws -> IntegrationEntryModel {
        try #require(try await IntegrationEntryModel.find(id, on: app.db))
    }

    @Test func theCountyTicksRowsVerifiesThemInOneGoAndReadsWhatWasLeftAndWhy() async throws {
        try await withTestApp(demo: .small) { app in
            let (b, entries, liNa) = try await setUp(app)
            let session = try await TestUsers.session(app, "jinjiang")
            let page = try await review.page(app, "/integration/\(b)?county=510104", session)
            #expect(page.contains("<form method=\"post\" action=\"/integration/\(b)/verify\" id=\"bulk-verify\" class=\"toolbar bulk\" data-confirm=\"核实勾选的人员？"))
            #expect(page.contains("<input type=\"checkbox\" name=\"entries[]\" value=\"\(entries[0].id)\" form=\"bulk-verify\" aria-label=\"勾选 张伟\">"))
            #expect(page.contains("<input type=\"hidden\" name=\"shown[]\" value=\"\(entries[3].id)\">"))
            #expect(page.contains("选中本页全部待核实人员（4 人）") && page.contains("<script src=\"/js/worklist.js\" defer></script>"))
            #expect(page.contains("<table class=\"list worklist sticky-head\">"))

            // 张伟 is verified one by one first; then 张伟, 王芳, 赵敏 and 青羊区's 李娜 are ticked.
            try await integration.post(app, "/api/v1/integration/entries/\(entries[0].id)/verify", as: "jinjiang", ["certificateNumber": "YD-1"], status: .ok)
            var location = ""
            try await bulkForm(app, batch: b, session, referer: "/integration/\(b)?county=510104&status=pending",
                               entries: [entries[0].id, entries[1].id, entries[2].id, liNa].map(String.init)) { response in
                #expect(response.status == .seeOther, "\(response.body.string)")
                location = response.headers.first(name: .location) ?? ""
            }
            let record = try #require(try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "integration_batch")
                .filter(\.$action == "verify").first())
            #expect(location == "/integration/\(b)?county=510104&status=pending&done=bulk&record=\(record.id!)#notice")
            let html = try await review.page(app, String(location.prefix { $0 != "#" }), session)
            let message = "已批量核实 2 人；未核实 2 人：1 条不属于本县或不存在；张伟 已核实。"
            #expect(html.contains("<div id=\"notice\"><p class=\"success\" role=\"status\">\(message)</p>"))
            #expect(record.summary == message && record.countyCode == "510104")

            #expect(try await status(app, entries[0].id).certificateNumber == "YD-1", "张伟 as he was")
            for entry in entries[1...2] {
                let stored = try await status(app, entry.id)
                #expect(stored.status == "verified" && stored.certificateNumber == BulkVerification.certificateOnPaper && stored.verifiedBy == "jinjiang")
            }
            #expect(try await status(app, entries[3].id).status == "pending", "钱进 was not ticked")
            let other = try await status(app, liNa)
            #expect(other.status == "pending" && other.verifiedBy == nil, "another county's entry is never touched")
            let perEntry = try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "integration_entry").filter(\.$action == "verify")
                .filter(\.$summary ~~ "批量核实").all()
            #expect(Set(perEntry.compactMap(\.objectID)) == Set([entries[1].id, entries[2].id].map(String.init)), "one audit entry per verified entry")

            // The message is this user's: another county (or a forged number) reads nothing.
            let qingyang = try await review.page(app, "/integration/\(b)?done=bulk&record=\(record.id!)", try await TestUsers.session(app, "qingyang"))
            #expect(!qingyang.contains("role=\"status\""))
            let forged = try await review.page(app, "/integration/\(b)?done=bulk&record=1", session)
            #expect(!forged.contains("role=\"status\""))

            // "Select this page": the rows the page showed waiting, whatever was ticked.
            try await bulkForm(app, batch: b, session, referer: "/integration/\(b)", whole: true, shown: [String(entries[3].id)]) { response in
                #expect(response.status == .seeOther)
            }
            #expect(try await status(app, entries[3].id).status == "verified")
        }
    }

    @Test func refusalsSayWhatIsWrongAndChangeNothing() async throws {
        try await withTestApp(demo: .small) { app in
            let (b, entries, _) = try await setUp(app)
            let session = try await TestUsers.session(app, "jinjiang")
            let cases: [([String], String)] = [
                ([], "请先勾选要核实的人员"),
                (["12abc"], "勾选的人员编号无效：“12abc”"),
                ((1...501).map(String.init), "一次最多批量核实 500 人，本次选了 501 人"),
            ]
            for (ids, words) in cases {
                try await bulkForm(app, batch: b, session, referer: "/integration/\(b)", entries: ids) { response in
                    #expect(response.status == .unprocessableEntity, "\(ids.prefix(2))")
                    #expect(response.body.string.contains(words), "\(response.body.string.prefix(300))")
                }
            }
            // The city reviews, it does not verify; a county without a session token is refused.
            try await bulkForm(app, batch: b, try await TestUsers.session(app, "chengdu"), referer: "/", entries: [String(entries[1].id)]) { response in
                #expect(response.status == .forbidden)
            }
            var forged = session.headers
            forged.contentType = .urlEncodedForm
            try await app.testing().test(.POST, "/integration/\(b)/verify", headers: forged,
                                         body: ByteBuffer(string: "entries%5B%5D=\(entries[1].id)")) { response in
                #expect(response.status == .forbidden)
            }
            #expect(try await IntegrationEntryModel.query(on: app.db).filter(\.$status == "verified").count() == 0)
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action == "verify").count() == 0)
        }
    }

    @Test func theAPILeavesConflictsRejectionsUnknownSchoolsAndLockedPartsAsTheyAre() async throws {
        try await withTestApp(demo: .small) { app in
            let (b, entries, liNa) = try await setUp(app)
            let headers = try await TestUsers.bearer(app, "jinjiang")
            try await integration.post(app, "/api/v1/integration/entries/\(entries[1].id)/reject", as: "jinjiang", ["reason": "duplicate"], status: .ok)
            try await app.sql.update(IntegrationEntryModel.schema).set("conflict", to: "name_mismatch").where("id", .equal, entries[2].id).run()
            try await app.sql.update(IntegrationEntryModel.schema).set("school", to: SQLLiteral.null).where("id", .equal, entries[3].id).run()

            func bulk(_ ids: [Int], as headers: HTTPHeaders, status: HTTPStatus = .ok) async throws -> CountyVerification.BulkResult? {
                var result: CountyVerification.BulkResult?
                try await app.testing().test(.POST, "/api/v1/integration/\(b)/verify", headers: headers, beforeRequest: {
                    try $0.content.encode(IntegrationController.BulkVerifyRequest(ids: ids), as: .json)
                }) { response in
                    #expect(response.status == status, "\(response.body.string)")
                    if status == .ok { result = try response.content.decode(CountyVerification.BulkResult.self) }
                }
                return result
            }
            let result = try #require(try await bulk(entries.map(\.id) + [liNa, 99_999_999], as: headers))
            #expect(result.verified == [entries[0].id])
            #expect(result.skipped.map(\.reason) == [.rejected, .conflict, .schoolMissing, .notInCounty, .notInCounty])
            #expect(result.skipped.map(\.name) == ["王芳", "赵敏", "钱进", "", ""])
            #expect(result.message == "已批量核实 1 人；未核实 5 人：2 条不属于本县或不存在；王芳 已不予认定，如需改为核实请逐条操作；赵敏 有待处理的冲突，请逐条核实；钱进 尚未在名册中登记，请逐条核实并填写所在学校。")
            #expect(try await status(app, entries[1].id).status == "rejected")
            #expect(try await status(app, entries[2].id).status == "pending")

            try await app.testing().test(.POST, "/api/v1/integration/\(b)/verify", headers: headers, beforeRequest: {
                try $0.content.encode(IntegrationController.BulkVerifyRequest(ids: Array(1...501)), as: .json)
            }) { response in
                #expect(response.status == .unprocessableEntity && response.body.string.contains("一次最多批量核实 500 人"))
            }
            _ = try await bulk([entries[0].id], as: try await TestUsers.bearer(app, "chengdu"), status: .forbidden)
            let again = try #require(try await bulk([entries[0].id], as: headers))
            #expect(again.verified.isEmpty && again.skipped.map(\.reason) == [.alreadyVerified] && again.message == "已批量核实 0 人；未核实 1 人：张伟 已核实。")

            // Submitted: locked, nothing verified.
            try await integration.post(app, "/api/v1/integration/entries/\(entries[2].id)/reject", as: "jinjiang", ["reason": "duplicate"], status: .ok)
            try await integration.post(app, "/api/v1/integration/entries/\(entries[3].id)/reject", as: "jinjiang", ["reason": "duplicate"], status: .ok)
            try await integration.post(app, "/api/v1/integration/entries/\(entries[1].id)/verify", as: "jinjiang", ["certificateNumber": "Y"], status: .ok)
            try await integration.post(app, "/api/v1/integration/\(b)/submit", as: "jinjiang", status: .ok)
            try await app.sql.update(IntegrationEntryModel.schema).set("status", to: "pending").where("id", .equal, entries[3].id).run()
            let locked = try #require(try await bulk([entries[3].id], as: headers))
            #expect(locked.verified.isEmpty && locked.skipped.map(\.reason) == [.locked])
            #expect(try await status(app, entries[3].id).status == "pending")
        }
    }
}
