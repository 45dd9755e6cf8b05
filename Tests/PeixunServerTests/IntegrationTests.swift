import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// 合作项目整合 (Appendix 2), the county's part: the province imports the qualified list, each
/// entry lands at its county in the list's order, the county verifies, rejects, adds and submits.
@Suite struct IntegrationTests {
    static func id(_ body: String) -> String { ResidentID.completing(body: body).value }

    /// 中国移动 project, 2016: four teachers of 锦江区 and 青羊区, one whose county is only known
    /// from its school, one with no county at all.
    func list(school: String) -> String {
        """
        中国移动中小学教师信息技术能力培训2016年合格人员名单
        序号,县(市、区),所在学校,教师姓名,身份证号码,联系电话
        1,锦江区,锦江区实验小学,张伟,\(Self.id("51010419850101001")),13800138001
        2,青羊,青羊区实验小学,李娜,\(Self.id("51010519860202002")),13800138002
        3,锦江区,锦江区实验小学,王芳,\(Self.id("51010419870303003")),
        4,,\(school),赵敏,\(Self.id("51010419880404004")),
        5,火星区,某校,孙丽,\(Self.id("51010419890505005")),
        6,锦江区,锦江区实验小学,钱进,\(Self.id("51010419900606006")),
        """
    }

    func importList(_ app: Application, school: String, dryRun: Bool = false) async throws -> ImportReport {
        let directory = NSTemporaryDirectory() + "peixun-qualified-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let url = URL(fileURLWithPath: directory + "/list.csv")
        try list(school: school).write(to: url, atomically: true, encoding: .utf8)
        let project = try #require(try await ProjectModel.query(on: app.db).filter(\.$name == "中国移动中小学教师信息技术能力培训").first())
        let importer = QualifiedListImporter(database: app.db, regions: app.regions, actor: .commandLine)
        return try await importer.run(url: url, fileName: "list.csv",
                                      options: .init(dryRun: dryRun, projectID: project.id!, year: 2016)).report
    }

    func county(_ app: Application, batch: Int, as username: String, county: String? = nil) async throws -> IntegrationController.CountyDTO {
        var dto: IntegrationController.CountyDTO?
        try await app.testing().test(.GET, "/api/v1/integration/\(batch)/entries" + (county.map { "?county=\($0)" } ?? ""),
                                     headers: try await TestUsers.bearer(app, username)) { response in
            #expect(response.status == .ok, "\(response.body.string)")
            dto = try response.content.decode(IntegrationController.CountyDTO.self)
        }
        return try #require(dto)
    }

    func post(_ app: Application, _ path: String, as username: String, _ body: [String: String] = [:], status: HTTPStatus) async throws {
        try await app.testing().test(.POST, path, headers: try await TestUsers.bearer(app, username),
                                     beforeRequest: { try $0.content.encode(body, as: .json) }) { response in
            #expect(response.status == status, "\(path) as \(username): \(response.body.string)")
        }
    }

    @Test func theListLandsAtEachCountyInItsOrderAndTheCountyVerifiesAndSubmits() async throws {
        try await withTestApp(demo: .small) { app in
            let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").sort(\.$id).first()!
            let dry = try await importList(app, school: school.name, dryRun: true)
            #expect(dry.rows == 6 && dry.created == 6 && dry.errors.isEmpty && !dry.committed)
            #expect(dry.notes.map(\.code) == ["region.triage"] && dry.notes.first?.row == 7)
            #expect(try await IntegrationEntryModel.query(on: app.db).count() == 0)

            let report = try await importList(app, school: school.name)
            #expect(report.committed && report.created == 6)
            let again = try await importList(app, school: school.name)
            #expect(again.created == 0 && again.unchanged == 6, "importing the list again adds nothing")
            let batch = try #require(try await IntegrationBatchModel.query(on: app.db).first())
            #expect(batch.deadline == "2016-09-30")
            let triage = try await IntegrationEntryModel.query(on: app.db).filter(\.$countyCode == nil).all()
            #expect(triage.map(\.name) == ["孙丽"] && triage.first?.listedCounty == "火星区")

            let jinjiang = try await county(app, batch: batch.id!, as: "jinjiang")
            #expect(jinjiang.entries.map(\.name) == ["张伟", "王芳", "赵敏", "钱进"], "the list's order, at the school's county too")
            #expect(jinjiang.entries.map(\.sequence) == [1, 2, 3, 4])
            #expect(jinjiang.actions == WorkflowActions(mayVerify: true, maySubmit: true))
            #expect(jinjiang.entries.allSatisfy { $0.residentID.contains("********") })
            let qingyang = try await county(app, batch: batch.id!, as: "qingyang")
            #expect(qingyang.entries.map(\.name) == ["李娜"])
            let city = try await county(app, batch: batch.id!, as: "chengdu", county: "510104")
            #expect(city.actions == WorkflowActions(), "the city reviews, it does not verify")

            // Another county's entry does not exist for a county.
            let zhang = jinjiang.entries[0].id
            try await post(app, "/api/v1/integration/entries/\(zhang)/verify", as: "qingyang", ["certificateNumber": "X1"], status: .notFound)
            try await post(app, "/api/v1/integration/entries/\(zhang)/verify", as: "jinjiang", [:], status: .unprocessableEntity)
            try await post(app, "/api/v1/integration/entries/\(zhang)/verify", as: "jinjiang",
                           ["certificateNumber": "YD2016-0001", "phone": "13900139000"], status: .ok)
            try await post(app, "/api/v1/integration/entries/\(jinjiang.entries[1].id)/reject", as: "jinjiang", ["reason": "other"], status: .unprocessableEntity)
            try await post(app, "/api/v1/integration/entries/\(jinjiang.entries[1].id)/reject", as: "jinjiang",
                           ["reason": "certificateNotPresented"], status: .ok)
            try await post(app, "/api/v1/integration/\(batch.id!)/entries", as: "jinjiang",
                           ["name": "周新", "residentID": Self.id("51010419910707007"), "certificateNumber": "YD2016-0099", "school": school.name], status: .created)
            try await post(app, "/api/v1/integration/\(batch.id!)/entries", as: "jinjiang",
                           ["name": "周新", "residentID": Self.id("51010519860202002"), "certificateNumber": "YD2016-0100"], status: .unprocessableEntity)

            let after = try await county(app, batch: batch.id!, as: "jinjiang")
            #expect(after.entries.map(\.name) == ["张伟", "王芳", "赵敏", "钱进", "周新"], "additions come last")
            #expect(after.entries.last?.added == true && after.entries.last?.sequence == 5)
            #expect(after.entries.map(\.status) == ["verified", "rejected", "pending", "pending", "verified"])
            #expect(after.entries[0].phone == "13900139000")

            try await post(app, "/api/v1/integration/\(batch.id!)/submit", as: "jinjiang", status: .ok)
            let submitted = try await county(app, batch: batch.id!, as: "jinjiang")
            #expect(submitted.state == "submitted" && submitted.actions == WorkflowActions())
            let late = try #require(try await SubmissionModel.query(on: app.db).filter(\.$workflow == "integration").first())
            #expect(late.late, "the 2016 deadline has passed: flagged, not refused")
            try await post(app, "/api/v1/integration/entries/\(jinjiang.entries[2].id)/verify", as: "jinjiang",
                           ["certificateNumber": "YD2016-0003"], status: .conflict)
            let city2 = try await county(app, batch: batch.id!, as: "chengdu", county: "510104")
            #expect(city2.actions == WorkflowActions(maySendBack: true))

            let audit = try await AuditEntryModel.query(on: app.db).filter(\.$objectType ~~ ["integration_entry", "integration_batch", "qualified_list"]).count()
            #expect(audit == 6, "import ×2, verify, reject, add, submit")
        }
    }

    /// A teacher registered in 青羊区 (510105), to make an entry of 锦江区 conflict with the registry.
    func registerInQingyang(_ app: Application, id: String, name: String) async throws {
        _ = try await register(app, id: id, name: name, county: "510105")
    }

    @discardableResult
    func register(_ app: Application, id: String, name: String, county: String) async throws -> TeacherModel {
        let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == county).first()!
        let teacher = TeacherModel()
        teacher.residentID = id
        teacher.name = name
        teacher.$school.id = school.id!
        teacher.stage = "primarySecondary"
        teacher.countyCode = county
        teacher.cityCode = app.regions.region(code: county)!.parentCode!
        try await teacher.create(on: app.db)
        return teacher
    }

    @Test func conflictsWithTheRegistryMustBeClearedBeforeSubmitting() async throws {
        try await withTestApp(demo: .small) { app in
            // 张伟's ID belongs to a registered teacher of 青羊区 with another name.
            try await registerInQingyang(app, id: Self.id("51010419850101001"), name: "张卫")
            let mine = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").first()!
            _ = try await importList(app, school: mine.name)
            let batch = try await IntegrationBatchModel.query(on: app.db).first()!
            let view = try await county(app, batch: batch.id!, as: "jinjiang")
            #expect(view.entries[0].conflict == "registered_elsewhere")
            #expect(view.openConflicts == 1 && view.actions == WorkflowActions(mayVerify: true, maySubmit: false))
            try await post(app, "/api/v1/integration/\(batch.id!)/submit", as: "jinjiang", status: .conflict)
            try await post(app, "/api/v1/integration/entries/\(view.entries[0].id)/reject", as: "jinjiang", ["reason": "notOurTeacher"], status: .ok)
            try await post(app, "/api/v1/integration/\(batch.id!)/submit", as: "jinjiang", status: .ok)
        }
    }

    @Test func thePagesShowTheListAndTheForms() async throws {
        try await withTestApp(demo: .small) { app in
            let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").first()!
            _ = try await importList(app, school: school.name)
            let batch = try await IntegrationBatchModel.query(on: app.db).first()!
            let session = try await TestUsers.session(app, "jinjiang")
            try await app.testing().test(.GET, "/integration", headers: session.headers) { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("/integration/\(batch.id!)"))
                #expect(!response.body.string.contains("导入合格人员名单"), "only the province imports")
            }
            try await app.testing().test(.GET, "/integration/\(batch.id!)", headers: session.headers) { response in
                #expect(response.status == .ok)
                let html = response.body.string
                #expect(html.contains("提交本县名单") && html.contains("新增名单外人员") && html.contains("张伟"))
                #expect(!html.contains("李娜"), "青羊区's teacher is not on 锦江区's page")
            }
            try await app.testing().test(.GET, "/integration/import", headers: session.headers) { response in
                #expect(response.status == .notFound)
            }
            try await app.testing().test(.GET, "/integration/import", headers: try await TestUsers.session(app, "sheng").headers) { response in
                #expect(response.status == .ok && response.body.string.contains("合作项目"))
            }
        }
    }

    func overview(_ app: Application, batch: Int, as username: String, city: String? = nil) async throws -> ApprovalController.OverviewDTO {
        var dto: ApprovalController.OverviewDTO?
        try await app.testing().test(.GET, "/api/v1/integration/\(batch)/overview" + (city.map { "?city=\($0)" } ?? ""),
                                     headers: try await TestUsers.bearer(app, username)) { response in
            #expect(response.status == .ok, "\(response.body.string)")
            dto = try response.content.decode(ApprovalController.OverviewDTO.self)
        }
        return try #require(dto)
    }

    @Test func theWholeFlowFromProvinceToCountiesToCityAndBackCreatesRecordsOnce() async throws {
        try await withTestApp(demo: .small) { app in
            let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").sort(\.$id).first()!
            _ = try await importList(app, school: school.name)
            let batch = try await IntegrationBatchModel.query(on: app.db).first()!
            let b = batch.id!
            let jinjiang = try await county(app, batch: b, as: "jinjiang")
            let qingyang = try await county(app, batch: b, as: "qingyang")
            // 锦江区 verifies three, adds one; 青羊区 rejects its only entry.
            for (index, entry) in jinjiang.entries.prefix(3).enumerated() {
                try await post(app, "/api/v1/integration/entries/\(entry.id)/verify", as: "jinjiang",
                               ["certificateNumber": "YD2016-\(index)", "school": school.name], status: .ok)
            }
            try await post(app, "/api/v1/integration/\(b)/entries", as: "jinjiang",
                           ["name": "周新", "residentID": Self.id("51010419910707007"), "certificateNumber": "YD2016-0099", "school": "锦江区新建实验学校"], status: .created)
            try await post(app, "/api/v1/integration/entries/\(qingyang.entries[0].id)/reject", as: "qingyang", ["reason": "notOurTeacher"], status: .ok)

            try await post(app, "/api/v1/integration/\(b)/submit-city", as: "chengdu", status: .conflict)
            try await post(app, "/api/v1/integration/\(b)/submit", as: "jinjiang", status: .ok)
            try await post(app, "/api/v1/integration/\(b)/submit", as: "qingyang", status: .ok)
            var city = try await overview(app, batch: b, as: "chengdu")
            #expect(city.level == "city" && city.actions.maySubmit)
            #expect(city.rows.map(\.name) == ["锦江区", "青羊区"] && city.rows.allSatisfy(\.actions.maySendBack))

            // The city sends 青羊区 back; it changes its mind and verifies; both submitted again.
            try await post(app, "/api/v1/integration/\(b)/send-back-county", as: "chengdu", ["county": "510105"], status: .unprocessableEntity)
            try await post(app, "/api/v1/integration/\(b)/send-back-county", as: "chengdu", ["county": "510105", "reason": "请再核对李娜的证书"], status: .ok)
            try await post(app, "/api/v1/integration/\(b)/send-back-county", as: "zigong", ["county": "510105", "reason": "x"], status: .notFound)
            city = try await overview(app, batch: b, as: "chengdu")
            #expect(!city.actions.maySubmit && city.rows.first { $0.code == "510105" }?.state == "returned")
            #expect(try await county(app, batch: b, as: "qingyang").actions.mayVerify)
            try await post(app, "/api/v1/integration/entries/\(qingyang.entries[0].id)/verify", as: "qingyang",
                           ["certificateNumber": "YD2016-0200", "school": "青羊区实验小学"], status: .ok)
            try await post(app, "/api/v1/integration/\(b)/submit", as: "qingyang", status: .ok)
            try await post(app, "/api/v1/integration/\(b)/submit-city", as: "chengdu", status: .ok)
            #expect(try await county(app, batch: b, as: "jinjiang").actions == WorkflowActions(), "the city has the data now")

            // The province approves: five verified teachers, records at level cooperation.
            let province = try await overview(app, batch: b, as: "sheng")
            #expect(province.rows.first { $0.code == "510100" }?.actions == WorkflowActions(maySendBack: true, mayApprove: true))
            // The province's row of a city sums the rows of its counties (read in one pass by city and county).
            let counties = try await overview(app, batch: b, as: "chengdu").rows
            #expect(counties.count > 1)
            func figures(_ rows: [ApprovalController.Row]) -> [Int] {
                [rows.map(\.allocated).reduce(0, +), rows.map(\.verified).reduce(0, +), rows.map(\.rejected).reduce(0, +), rows.map(\.added).reduce(0, +)]
            }
            #expect(figures(province.rows.filter { $0.code == "510100" }) == figures(counties))
            try await post(app, "/api/v1/integration/\(b)/approve", as: "chengdu", ["city": "510100"], status: .forbidden)
            try await post(app, "/api/v1/integration/\(b)/approve", as: "sheng", ["city": "510300"], status: .conflict)
            let recordsBefore = try await TrainingRecordModel.query(on: app.db).filter(\.$projectID == batch.projectID).count()
            try await post(app, "/api/v1/integration/\(b)/approve", as: "sheng", ["city": "510100"], status: .ok)
            let records = try await TrainingRecordModel.query(on: app.db).filter(\.$projectID == batch.projectID).all()
            #expect(records.count - recordsBefore == 5)
            #expect(records.filter { $0.year == 2016 && $0.result == "passed" }.count >= 5)
            let added = try #require(try await TeacherModel.query(on: app.db).filter(\.$residentID == Self.id("51010419910707007")).with(\.$school).first())
            #expect(added.countyCode == "510104" && added.school.name == "锦江区新建实验学校" && added.firstPassedYear == 2016)
            try await post(app, "/api/v1/integration/\(b)/approve", as: "sheng", ["city": "510100"], status: .conflict)
            try await post(app, "/api/v1/integration/\(b)/send-back-city", as: "sheng", ["city": "510100", "reason": "x"], status: .conflict)

            // Reopening withdraws exactly those records; approving again restores them, once.
            try await post(app, "/api/v1/integration/\(b)/reopen", as: "sheng", ["city": "510100"], status: .ok)
            #expect(try await TrainingRecordModel.query(on: app.db).filter(\.$projectID == batch.projectID).count() == recordsBefore)
            #expect(try await TeacherModel.find(added.id, on: app.db)?.firstPassedYear == nil)
            try await post(app, "/api/v1/integration/\(b)/approve", as: "sheng", ["city": "510100"], status: .ok)
            #expect(try await TrainingRecordModel.query(on: app.db).filter(\.$projectID == batch.projectID).count() == recordsBefore + 5)

            // 张伟, registered by the approval, sees where he stands on his own page.
            let zhang = try #require(try await TeacherModel.query(on: app.db).filter(\.$residentID == Self.id("51010419850101001")).first())
            _ = try await TestUsers.createTeacherUser(app, teacher: zhang)
            try await app.testing().test(.GET, "/api/v1/me/training", headers: try await TestUsers.bearer(app, zhang.residentID)) { response in
                let me = try response.content.decode(MyTrainingController.MyTrainingDTO.self)
                #expect(me.integration.count == 1 && me.integration[0].approved && me.integration[0].stage.contains("已审核认定"))
                #expect(me.trained && me.records.contains { $0.year == 2016 })
            }

            // The summary form: counties of the city, then 小计; the province: cities, then 合计.
            var summary: SummaryController.SummaryDTO?
            try await app.testing().test(.GET, "/api/v1/integration/summary?project=\(batch.projectID)", headers: try await TestUsers.bearer(app, "chengdu")) { response in
                summary = try response.content.decode(SummaryController.SummaryDTO.self)
            }
            let city2016 = try #require(summary).rows.reduce(into: [String: (Int, Int)]()) { $0[$1.name] = ($1.cells[2].allocated, $1.cells[2].verified) }
            #expect(city2016["锦江区"]! == (4, 4) && city2016["青羊区"]! == (1, 1) && city2016["金牛区"]! == (0, 0))
            #expect(summary!.total.name == "小计" && summary!.total.cells[2].allocated == 5 && summary!.total.cells[2].verified == 5)
            try await app.testing().test(.GET, "/api/v1/integration/summary?project=\(batch.projectID)", headers: try await TestUsers.bearer(app, "sheng")) { response in
                let province = try response.content.decode(SummaryController.SummaryDTO.self)
                #expect(province.rows.count == 21 && province.total.name == "合计" && province.total.cells[2].allocated == 5)
                #expect(province.rows.first { $0.code == "510100" }?.cells[2].verified == 5)
            }
            let directory = NSTemporaryDirectory() + "peixun-summary-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try await app.testing().test(.GET, "/integration/summary?project=\(batch.projectID)&format=xlsx", headers: try await TestUsers.session(app, "chengdu").headers) { response in
                #expect(response.status == .ok)
                try Data(buffer: response.body).write(to: URL(fileURLWithPath: directory + "/summary.xlsx"))
            }
            let sheet = try convertToCSV(directory + "/summary.xlsx", directory: directory)
            #expect(sheet[0].first == "整合培训项目教师参训情况汇总表")
            #expect(sheet[2].first == "项目名称：中国移动中小学教师信息技术能力培训")
            #expect(sheet[3].prefix(4) == ["地区", "2014年", "", "2015年"] && sheet[4].prefix(3) == ["", "分配人数", "核实人数"])
            #expect(sheet.contains { $0.first == "锦江区" && $0[5] == "4" && $0[6] == "4" })
            #expect(sheet.contains { $0.first == "小计" && $0[5] == "5" && $0[6] == "5" })

            let session = try await TestUsers.session(app, "chengdu")
            try await app.testing().test(.GET, "/integration/\(b)/overview", headers: session.headers) { response in
                #expect(response.status == .ok && response.body.string.contains("锦江区") && response.body.string.contains("已审核") == false)
            }
            try await app.testing().test(.GET, "/integration/\(b)/overview", headers: try await TestUsers.session(app, "sheng").headers) { response in
                #expect(response.body.string.contains("成都市") && response.body.string.contains("重新打开"))
            }
        }
    }

    @Test func theFeedbackTableGoesOutInOrderAndComesBackWithEveryDifference() async throws {
        try await withTestApp(demo: .small) { app in
            let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").sort(\.$id).first()!
            _ = try await importList(app, school: school.name)
            let batch = try await IntegrationBatchModel.query(on: app.db).first()!
            let b = batch.id!
            try await post(app, "/api/v1/integration/\(b)/entries", as: "jinjiang",
                           ["name": "周新", "residentID": Self.id("51010419910707007"), "certificateNumber": "YD2016-0099", "school": school.name], status: .created)
            let directory = NSTemporaryDirectory() + "peixun-feedback-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let session = try await TestUsers.session(app, "jinjiang")
            try await app.testing().test(.GET, "/integration/\(b)/feedback.xlsx", headers: session.headers) { response in
                #expect(response.status == .ok)
                try Data(buffer: response.body).write(to: URL(fileURLWithPath: directory + "/feedback.xlsx"))
            }
            let sheet = try convertToCSV(directory + "/feedback.xlsx", directory: directory)
            #expect(sheet[0].first == "参训合格教师信息反馈表")
            #expect(sheet[2] == FeedbackTable.headers)
            #expect(sheet.dropFirst(3).prefix(5).map { $0[3] } == ["张伟", "王芳", "赵敏", "钱进", "周新"], "original order, additions last")
            #expect(sheet[3][4] == Self.id("51010419850101001") && sheet[3][1] == "2016" && sheet[7][7].hasPrefix("新增"))

            // Filled in: 王芳 removed (not confirmed), 张伟's phone corrected, a newcomer at the end.
            let filled = """
                县(市、区),年度,序号,教师姓名,身份证号码,联系电话,所在学校,备注
                锦江区,2016,1,张伟,\(Self.id("51010419850101001")),13911112222,锦江区实验小学,证书 YD2016-0001
                锦江区,2016,3,赵敏,\(Self.id("51010419880404004")),,\(school.name),YD2016-0003
                锦江区,2016,4,钱进,\(Self.id("51010419900606006")),,锦江区实验小学,
                锦江区,2016,5,周新,\(Self.id("51010419910707007")),,\(school.name),新增；证书 YD2016-0099
                锦江区,2016,,吴新来,\(Self.id("51010419920808008")),,\(school.name),证书 YD2016-0120
                """
            var outcome: FeedbackTable.Outcome?
            let headers = try await TestUsers.bearer(app, "jinjiang")
            try await app.testing().test(.POST, "/api/v1/integration/\(b)/feedback?dryRun=true", headers: headers, beforeRequest: { request in
                request.headers.add(name: "X-File-Name", value: "feedback.csv")
                request.body = ByteBuffer(string: filled)
            }) { response in
                #expect(response.status == .ok, "\(response.body.string)")
                outcome = try response.content.decode(FeedbackTable.Outcome.self)
            }
            #expect(outcome?.applied == false && outcome?.notReturned == ["2 王芳"])
            #expect(Set(outcome?.differences.map(\.code) ?? []) == ["feedback.phone", "feedback.added"])
            #expect(try await IntegrationEntryModel.query(on: app.db).filter(\.$status == "verified").count() == 1, "a dry run changes nothing")

            try await app.testing().test(.POST, "/api/v1/integration/\(b)/feedback", headers: headers, beforeRequest: { request in
                request.headers.add(name: "X-File-Name", value: "feedback.csv")
                request.body = ByteBuffer(string: filled)
            }) { response in
                outcome = try response.content.decode(FeedbackTable.Outcome.self)
            }
            #expect(outcome?.applied == true && outcome?.verified == 3 && outcome?.added == 1)
            let view = try await county(app, batch: b, as: "jinjiang")
            #expect(view.entries.map(\.name) == ["张伟", "王芳", "赵敏", "钱进", "周新", "吴新来"])
            #expect(view.entries.map(\.status) == ["verified", "pending", "verified", "verified", "verified", "verified"])
            #expect(view.entries[0].phone == "13911112222" && view.entries[0].certificateNumber == "YD2016-0001")

            // A table with a bad row changes nothing.
            try await app.testing().test(.POST, "/api/v1/integration/\(b)/feedback", headers: headers, beforeRequest: { request in
                request.body = ByteBuffer(string: "教师姓名,身份证号码\n王芳,\(Self.id("51010419870303003"))\n坏行,110105194912310021\n")
            }) { response in
                let bad = try response.content.decode(FeedbackTable.Outcome.self)
                #expect(!bad.applied && bad.errors.map(\.code) == ["id.checksum"] && bad.errors.first?.row == 3)
            }
            #expect(try await county(app, batch: b, as: "jinjiang").entries[1].status == "pending")
        }
    }

    @Test func theProvincePlacesEntriesWhoseCountyCouldNotBeRead() async throws {
        try await withTestApp(demo: .small) { app in
            let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").sort(\.$id).first()!
            _ = try await importList(app, school: school.name)
            let batch = try await IntegrationBatchModel.query(on: app.db).first()!
            let province = try await overview(app, batch: batch.id!, as: "sheng")
            #expect(province.triage.map(\.name) == ["孙丽"] && province.triage.first?.listedCounty == "火星区")
            let id = province.triage[0].id
            try await post(app, "/api/v1/integration/entries/\(id)/assign", as: "chengdu", ["county": "510104"], status: .notFound)
            try await post(app, "/api/v1/integration/entries/\(id)/assign", as: "sheng", ["county": "火星区"], status: .unprocessableEntity)
            try await post(app, "/api/v1/integration/entries/\(id)/assign", as: "sheng", ["county": "锦江区"], status: .ok)
            try await post(app, "/api/v1/integration/entries/\(id)/assign", as: "sheng", ["county": "青羊区"], status: .conflict)
            let jinjiang = try await county(app, batch: batch.id!, as: "jinjiang")
            #expect(jinjiang.entries.last?.name == "孙丽" && jinjiang.entries.last?.sequence == 5)
            #expect(try await overview(app, batch: batch.id!, as: "sheng").triage.isEmpty)
        }
    }
}
