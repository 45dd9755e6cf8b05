import Fluent
import Foundation
import PeixunCore
import Testing
import VaporTesting
@testable import PeixunServer

/// The training plan (Appendix 3): figures from Appendix 1, the county's entries and their
/// warnings, the approval county → city → province, the deadline, scope and the workbook.
@Suite struct PlanTests {
    func table(_ app: Application, _ query: String, as username: String) async throws -> PlanTableDTO {
        var table: PlanTableDTO?
        try await app.testing().test(.GET, "/api/v1/plans?\(query)", headers: try await TestUsers.bearer(app, username)) { response in
            #expect(response.status == .ok, "\(response.body.string)")
            table = try response.content.decode(PlanTableDTO.self)
        }
        return try #require(table)
    }

    @discardableResult
    func put(_ app: Application, _ county: String, as username: String, _ body: [String: Int], remarks: String = "",
             status: HTTPStatus = .ok, code: String? = nil) async throws -> PlanTableDTO.Row? {
        var row: PlanTableDTO.Row?
        struct Body: Content { let provincialDemand: Int?; let localPlan: Int?; let remarks: String }
        try await app.testing().test(.PUT, "/api/v1/plans/2017/\(county)", headers: try await TestUsers.bearer(app, username), beforeRequest: {
            try $0.content.encode(Body(provincialDemand: body["provincialDemand"], localPlan: body["localPlan"], remarks: remarks), as: .json)
        }) { response in
            #expect(response.status == status, "\(response.body.string)")
            if let code { #expect(response.body.string.contains("\"\(code)\"")) }
            if status == .ok { row = try response.content.decode(PlanTableDTO.Row.self) }
        }
        return row
    }

    func post(_ app: Application, _ path: String, as username: String, _ body: [String: String] = [:], status: HTTPStatus = .ok) async throws {
        try await app.testing().test(.POST, "/api/v1/plans/2017/\(path)", headers: try await TestUsers.bearer(app, username), beforeRequest: {
            try $0.content.encode(body, as: .json)
        }) { response in
            #expect(response.status == status, "\(path): \(response.body.string)")
        }
    }

    @Test func prefilledFiguresAreAppendix1OfTheYearBeforeAndEntriesAreWarnedOrRefused() async throws {
        try await withTestApp(demo: .small) { app in
            let plan = try await table(app, "year=2017&region=510100", as: "chengdu")
            var progress: ProgressDTO?
            try await app.testing().test(.GET, "/api/v1/reports/progress?year=2016&region=510100", headers: try await TestUsers.bearer(app, "chengdu")) { response in
                progress = try response.content.decode(ProgressDTO.self)
            }
            let report = try #require(progress)
            #expect(plan.rows.count == report.rows.count && plan.rows.count > 1)
            for (row, expected) in zip(plan.rows, report.rows) {
                #expect(row.code == expected.code && row.name == expected.name)
                let mine: [Int] = [row.kindergarten, row.primarySecondary, row.vocational, row.total, row.trained, row.untrained]
                let theirs: [Int] = [expected.kindergarten, expected.primarySecondary, expected.vocational, expected.total, expected.trained, expected.untrained]
                #expect(mine == theirs)
                #expect(row.state == "open" && row.provincialDemand == nil && row.warnings.map(\.code) == ["plan.incomplete"])
            }
            #expect(plan.total.name == "小计" && plan.total.total == report.total.total && plan.total.untrained == report.total.untrained)
            #expect(plan.deadline == "2017-03-31")

            let gap = try #require(plan.rows.first { $0.code == "510104" }).untrained
            #expect(gap > 10)
            let fine = try #require(try await put(app, "510104", as: "jinjiang", ["provincialDemand": gap / 5, "localPlan": gap - gap / 5 + 1]))
            #expect(fine.warnings.isEmpty, "\(fine.warnings)")
            let short = try #require(try await put(app, "510104", as: "jinjiang", ["provincialDemand": gap / 5, "localPlan": 0]))
            #expect(short.warnings.map(\.code) == ["plan.below_gap", "plan.split"])
            #expect(short.warnings[0].message.contains("少于未培训人数（缺口数）\(gap) 人"))
            try await put(app, "510104", as: "jinjiang", ["provincialDemand": -1, "localPlan": 3], status: .unprocessableEntity, code: "plan.negative")
            #expect(try await PlanModel.query(on: app.db).first()?.localPlan == 0, "a refused row changes nothing")
            // The city's table shows the county's entries; the province's sums them per city.
            #expect(try await table(app, "year=2017&region=510100", as: "chengdu").rows.first { $0.code == "510104" }?.provincialDemand == gap / 5)
            let province = try await table(app, "year=2017", as: "sheng")
            #expect(province.total.name == "合计" && province.rows.first { $0.code == "510100" }?.provincialDemand == gap / 5)
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "plan").filter(\.$action == "update").count() == 2)
        }
    }

    @Test func aSubmittedPlanIsLockedSentBackWithAReasonAndLateSubmissionsAreFlagged() async throws {
        try await withTestApp(demo: .small) { app in
            app.clock = FixedClock(CivilDate(year: 2017, month: 3, day: 31)!, hour: 23)
            try await post(app, "510104/submit", as: "jinjiang", status: .conflict)
            try await put(app, "510104", as: "jinjiang", ["provincialDemand": 10, "localPlan": 40])
            try await post(app, "510104/submit", as: "jinjiang", ["filler": "张老师", "phone": "028-86000000"])
            var row = try await table(app, "year=2017&region=510104", as: "jinjiang").total
            #expect(row.state == "submitted" && !row.late && !row.actions.mayEdit)
            try await put(app, "510104", as: "jinjiang", ["provincialDemand": 11, "localPlan": 40], status: .conflict, code: "plan.locked")

            try await post(app, "510104/send-back", as: "chengdu", ["reason": " "], status: .conflict)
            try await post(app, "510104/send-back", as: "chengdu", ["reason": "计划数偏少，请核实"])
            row = try await table(app, "year=2017&region=510100", as: "chengdu").rows.first { $0.code == "510104" }!
            #expect(row.state == "returned" && row.returnedReason == "计划数偏少，请核实")
            try await put(app, "510104", as: "jinjiang", ["provincialDemand": 12, "localPlan": 48])

            app.clock = FixedClock(CivilDate(year: 2017, month: 4, day: 1)!)
            try await post(app, "510104/submit", as: "jinjiang")
            #expect(try await table(app, "year=2017&region=510104", as: "jinjiang").total.late)
            // The city submits only when every one of its counties has.
            try await app.testing().test(.POST, "/api/v1/plans/2017/510100/submit", headers: try await TestUsers.bearer(app, "chengdu")) { response in
                #expect(response.status == .conflict && response.body.string.contains("以下县(市、区)尚未提交") && response.body.string.contains("青羊区"), "\(response.body.string)")
            }
            try await app.testing().test(.GET, "/plans?year=2017", headers: try await TestUsers.session(app, "chengdu").headers) { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("逾期提交") && response.body.string.contains("锦江区") && response.body.string.contains("退回原因"))
            }
        }
    }

    @Test func officesSeeOnlyTheirOwnPlansAndOnlyTheCountyFillsItsRow() async throws {
        try await withTestApp(demo: .small) { app in
            try await put(app, "510105", as: "jinjiang", ["provincialDemand": 1, "localPlan": 4], status: .notFound)
            try await put(app, "510104", as: "chengdu", ["provincialDemand": 1, "localPlan": 4], status: .forbidden)
            try await post(app, "510105/submit", as: "jinjiang", status: .notFound)
            try await post(app, "510302/send-back", as: "chengdu", ["reason": "x"], status: .notFound)
            try await post(app, "510100/approve", as: "zigong", status: .notFound)
            for (username, region) in [("jinjiang", "510105"), ("chengdu", "510300"), ("jigou", "510104")] {
                try await app.testing().test(.GET, "/api/v1/plans?year=2017&region=\(region)", headers: try await TestUsers.bearer(app, username)) { response in
                    #expect(response.status == .notFound)
                }
            }
            #expect(try await table(app, "year=2017", as: "jinjiang").rows.map(\.code) == ["510104"])
            try await app.testing().test(.GET, "/plans", headers: try await TestUsers.session(app, "jinjiang").headers) { response in
                let html = response.body.string
                #expect(response.status == .ok && html.contains("2017年培训计划及执行情况 · 锦江区") && html.contains("name=\"provincialDemand\"")
                        && html.contains("尚未填写") && !html.contains("青羊区"))
            }
            try await app.testing().test(.GET, "/plans?year=2017", headers: try await TestUsers.session(app, "sheng").headers) { response in
                #expect(response.status == .ok && response.body.string.contains("凉山彝族自治州") && response.body.string.contains("合计"))
            }
        }
    }

    @Test func theWorkbookIsAppendix3WithTheSubmittersLines() async throws {
        try await withTestApp(demo: .small) { app in
            for county in app.regions.counties(in: "510100").map(\.code) {
                let user = try await TestUsers.createCountyUser(app, county: county)
                try await put(app, county, as: user.username, ["provincialDemand": 10, "localPlan": 40])
                try await post(app, "\(county)/submit", as: user.username)
            }
            try await post(app, "510100/submit", as: "chengdu", ["filler": "李华", "phone": "028-86115370"])
            let json = try await table(app, "year=2017&region=510100", as: "chengdu")
            let directory = NSTemporaryDirectory() + "peixun-plan-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try await app.testing().test(.GET, "/plans/export?year=2017&region=510100", headers: try await TestUsers.session(app, "sheng").headers) { response in
                #expect(response.status == .ok)
                let path = directory + "/plan.xlsx"
                try Data(buffer: response.body).write(to: URL(fileURLWithPath: path))
                let rows = try convertToCSV(path, directory: directory)
                #expect(rows[1][0] == "2017年市(州)县(区)能力提升工程培训计划及执行情况")
                #expect(rows[2][0] == "市(州)教育行政部门(盖章)：成都市" && rows[2][5] == "填表人：李华" && rows[2][8] == "联系电话：028-86115370")
                #expect(rows[3][0] == "地区" && rows[3][2] == "专任教师数" && rows[3][6] == "已培训人数" && rows[3][7] == "未培训人数(缺口数)"
                        && rows[3][8] == "2017培训计划数" && rows[3][10] == "备注")
                #expect(Array(rows[4][0...9]) == ["市(州)", "县(市、区)", "幼儿园", "中小学", "职业中学", "合计总数", "", "", "省级及以上项目需求数", "市县级培训计划数"])
                for (offset, row) in json.rows.enumerated() {
                    let line = rows[5 + offset]
                    #expect(line[0] == "成都市" && line[1] == row.name)
                    #expect(line[5] == String(row.total) && line[6] == String(row.trained) && line[7] == String(row.untrained))
                    #expect(line[8] == "10" && line[9] == "40")
                }
                let total = rows[5 + json.rows.count]
                #expect(total[0] == "小计" && total[5] == String(json.total.total) && total[7] == String(json.total.untrained))
                #expect(total[8] == String(10 * json.rows.count) && total[9] == String(40 * json.rows.count))
                #expect(rows[6 + json.rows.count][0].contains("备注：1.本表分解到各县(市、区)"))
                // The workbook reads back as the same plans: an import of it changes nothing.
                let again = try await importSheet(app, try Data(contentsOf: URL(fileURLWithPath: path)), as: "chengdu", dryRun: true, fileName: "plan.xlsx")
                #expect(again?.issues == [] && again?.changes == [])
            }
            try await app.testing().test(.GET, "/plans/export?year=2017", headers: try await TestUsers.session(app, "sheng").headers) { response in
                let path = directory + "/province.xlsx"
                try Data(buffer: response.body).write(to: URL(fileURLWithPath: path))
                let rows = try convertToCSV(path, directory: directory)
                #expect(rows[5][0] == "成都市" && rows[5][8] == String(10 * json.rows.count))
                #expect(rows[26][0] == "合计")
            }
        }
    }

    /// A city's offline Appendix 3 as CSV: the form's header and one line per county given.
    static func sheet(_ lines: [(county: String, demand: String, plan: String, remarks: String)]) -> Data {
        var rows = [
            "附件3", "2017年市(州)县(区)能力提升工程培训计划及执行情况", "市(州)教育行政部门(盖章)：成都市,,,,,填表人：",
            "地区,,专任教师数,,,,已培训人数,未培训人数(缺口数),2017培训计划数,,备注",
            "市(州),县(市、区),幼儿园,中小学,职业中学,合计总数,,,省级及以上项目需求数,市县级培训计划数,",
        ]
        rows += lines.map { "成都市,\($0.county),1,2,3,6,1,5,\($0.demand),\($0.plan),\($0.remarks)" }
        rows.append("小计,,,,,,,,,,")
        return Data((rows.joined(separator: "\n") + "\n").utf8)
    }

    func importSheet(_ app: Application, _ data: Data, as username: String, city: String = "510100", dryRun: Bool,
                     fileName: String = "plan.csv", status: HTTPStatus = .ok) async throws -> PlanImportDTO? {
        var result: PlanImportDTO?
        try await app.testing().test(.POST, "/api/v1/plans/2017/\(city)/import?dryRun=\(dryRun)&fileName=\(fileName)",
                                     headers: try await TestUsers.bearer(app, username), beforeRequest: { request in
            request.body = ByteBuffer(data: data)
        }) { response in
            #expect(response.status == status, "\(response.body.string)")
            if response.status == .ok { result = try response.content.decode(PlanImportDTO.self) }
        }
        return result
    }

    @Test func aCityImportsItsFilledSheetAfterSeeingEveryDifference() async throws {
        try await withTestApp(demo: .small) { app in
            try await put(app, "510104", as: "jinjiang", ["provincialDemand": 5, "localPlan": 20])
            let data = Self.sheet([("锦江区", "5", "25", ""), ("青羊区", "8", "32", "市县级培训未纳入省级平台：自建平台")])
            let preview = try #require(try await importSheet(app, data, as: "chengdu", dryRun: true))
            #expect(!preview.applied && preview.issues.isEmpty && preview.locked.isEmpty)
            #expect(preview.changes.map { "\($0.name) \($0.field) \($0.before)→\($0.after)" } == [
                "锦江区 市县级培训计划数 20→25", "青羊区 省级及以上项目需求数 →8", "青羊区 市县级培训计划数 →32",
                "青羊区 纳入省级平台 是→否", "青羊区 备注 →自建平台",
            ])
            #expect(try await PlanModel.query(on: app.db).count() == 1, "a dry run writes nothing")

            // A county that has submitted cannot be changed by an import.
            try await post(app, "510104/submit", as: "jinjiang")
            #expect(try await importSheet(app, data, as: "chengdu", dryRun: true)?.locked == ["锦江区"])
            _ = try await importSheet(app, data, as: "chengdu", dryRun: false, status: .conflict)
            try await post(app, "510104/send-back", as: "chengdu", ["reason": "按离线表更新"])
            let applied = try #require(try await importSheet(app, data, as: "chengdu", dryRun: false))
            #expect(applied.applied && applied.changes.count == 5)
            let qingyang = try #require(try await table(app, "year=2017&region=510105", as: "qingyang").total)
            #expect(qingyang.provincialDemand == 8 && qingyang.localPlan == 32 && !qingyang.usesProvincialPlatform && qingyang.remarks == "自建平台")
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action == "import").filter(\.$objectType == "plan").count() == 2)

            // Bad rows are shown with their row numbers and nothing is applied; other cities' counties are refused.
            let bad = Self.sheet([("锦江区", "-1", "x", ""), ("自流井区", "1", "4", "")])
            let refused = try #require(try await importSheet(app, bad, as: "chengdu", dryRun: true))
            #expect(refused.issues.map(\.row) == [6, 6, 7] && refused.issues[2].message.contains("不是成都市的县(市、区)"))
            _ = try await importSheet(app, bad, as: "chengdu", dryRun: false, status: .unprocessableEntity)
            _ = try await importSheet(app, data, as: "zigong", dryRun: true, status: .notFound)
            _ = try await importSheet(app, data, as: "jinjiang", dryRun: true, status: .notFound)
        }
    }

    @Test func theUploadPageShowsTheDifferencesAndAppliesThatFile() async throws {
        try await withTestApp(demo: .small) { app in
            let session = try await TestUsers.session(app, "chengdu")
            var applyPath: String?
            try await app.testing().test(.POST, "/plans/2017/510100/import", headers: session.headers, beforeRequest: { request in
                try request.content.encode(["_csrf": session.csrf], as: .formData)
                struct Form: Content { let _csrf: String; let file: File }
                try request.content.encode(Form(_csrf: session.csrf, file: File(data: ByteBuffer(data: Self.sheet([("锦江区", "7", "28", "")])), filename: "成都市.csv")),
                                           as: .formData)
            }) { response in
                #expect(response.status == .ok, "\(response.body.string)")
                let html = response.body.string
                #expect(html.contains("锦江区") && html.contains("省级及以上项目需求数") && html.contains("确认导入"))
                applyPath = html.range(of: "/plans/2017/510100/import/[0-9]+", options: .regularExpression).map { String(html[$0]) }
            }
            let path = try #require(applyPath)
            #expect(try await PlanModel.query(on: app.db).count() == 0)
            try await app.testing().test(.POST, path, headers: session.headers, beforeRequest: { request in
                try request.content.encode(["_csrf": session.csrf], as: .urlEncodedForm)
            }) { response in
                #expect(response.status == .seeOther, "\(response.body.string)")
            }
            #expect(try await PlanModel.query(on: app.db).first()?.localPlan == 28)
            // Another user cannot apply somebody else's upload.
            let sheng = try await TestUsers.session(app, "sheng")
            try await app.testing().test(.POST, path, headers: sheng.headers, beforeRequest: { request in
                try request.content.encode(["_csrf": sheng.csrf], as: .urlEncodedForm)
            }) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
