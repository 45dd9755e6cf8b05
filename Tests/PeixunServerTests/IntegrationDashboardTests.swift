import Fluent
import Foundation
import PeixunCore
import Testing
import VaporTesting
@testable import PeixunServer

/// The dashboards (county, city, province), the deadline the province moves, and the
/// cooperation projects the province adds.
extension IntegrationTests {
    func dashboard(_ app: Application, as username: String) async throws -> [IntegrationDashboard.BatchStatus] {
        var list: [IntegrationDashboard.BatchStatus] = []
        try await app.testing().test(.GET, "/api/v1/integration/batches", headers: try await TestUsers.bearer(app, username)) { response in
            #expect(response.status == .ok, "\(response.body.string)")
            list = try response.content.decode([IntegrationDashboard.BatchStatus].self)
        }
        return list
    }

    @Test func eachLevelSeesItsFiguresItsStateAndTheDaysToTheDeadline() async throws {
        try await withTestApp(demo: .small) { app in
            // 王芳's ID is registered in 青羊区 under another name: one conflict for 锦江区.
            try await registerInQingyang(app, id: Self.id("51010419870303003"), name: "王方")
            let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").sort(\.$id).first()!
            _ = try await importList(app, school: school.name)
            let b = try await IntegrationBatchModel.query(on: app.db).first()!.id!
            let entries = try await county(app, batch: b, as: "jinjiang").entries
            try await post(app, "/api/v1/integration/entries/\(entries[0].id)/verify", as: "jinjiang", ["certificateNumber": "YD-1"], status: .ok)
            try await post(app, "/api/v1/integration/entries/\(entries[3].id)/reject", as: "jinjiang", ["reason": "certificateNotPresented"], status: .ok)

            let overdueBy = CivilDate(year: 2016, month: 9, day: 30)!.days(until: .today())
            let jinjiang = try #require(try await dashboard(app, as: "jinjiang").first)
            #expect((jinjiang.allocated, jinjiang.verified, jinjiang.rejected, jinjiang.added, jinjiang.pending, jinjiang.conflicts) == (4, 1, 1, 0, 2, 1))
            #expect(jinjiang.state == "open" && jinjiang.stateLabel == "未提交")
            #expect(jinjiang.daysLeft == -overdueBy && jinjiang.countdown == "已逾期 \(overdueBy) 天" && jinjiang.overdue)

            try await post(app, "/api/v1/integration/entries/\(entries[1].id)/reject", as: "jinjiang", ["reason": "notOurTeacher"], status: .ok)
            try await post(app, "/api/v1/integration/\(b)/submit", as: "jinjiang", status: .ok)
            let submitted = try #require(try await dashboard(app, as: "jinjiang").first)
            // Once submitted the deadline was met or missed: no running count of days.
            #expect(submitted.state == "submitted" && submitted.countdown == "逾期提交" && !submitted.overdue && submitted.conflicts == 0)

            let city = try #require(try await dashboard(app, as: "chengdu").first)
            #expect(city.allocated == 5 && city.state == "open" && city.partsLabel == "已提交 1/2 个县(市、区)")
            let province = try #require(try await dashboard(app, as: "sheng").first)
            #expect(province.allocated == 6 && province.state == nil && province.partsLabel == "已审核 0/1 个市(州)")
            #expect(try await dashboard(app, as: "zigong").first?.allocated == 0, "a city without entries sees the batch, empty")

            let session = try await TestUsers.session(app, "chengdu")
            try await app.testing().test(.GET, "/integration", headers: session.headers) { response in
                let html = response.body.string
                #expect(html.contains("已提交 1/2 个县(市、区)") && html.contains("已逾期 \(overdueBy) 天") && html.contains("待处理冲突"))
            }
            // The county page a city opens shows that county's figures, not the city's.
            try await app.testing().test(.GET, "/integration/\(b)?county=510105", headers: session.headers) { response in
                #expect(response.body.string.contains("分配 1 人"))
            }
        }
    }

    @Test func theProvinceMovesTheDeadlineAndSubmissionsAreJudgedAgain() async throws {
        try await withTestApp(demo: .small) { app in
            let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").sort(\.$id).first()!
            _ = try await importList(app, school: school.name)
            let b = try await IntegrationBatchModel.query(on: app.db).first()!.id!
            try await post(app, "/api/v1/integration/entries/\(try await county(app, batch: b, as: "qingyang").entries[0].id)/reject",
                           as: "qingyang", ["reason": "notOurTeacher"], status: .ok)
            try await post(app, "/api/v1/integration/\(b)/submit", as: "qingyang", status: .ok)
            let submission = try await SubmissionModel.query(on: app.db).filter(\.$workflow == "integration").filter(\.$regionCode == "510105").first()!
            #expect(submission.late, "submitted years after 30 September 2016")
            submission.submittedAt = ISO8601DateFormatter().date(from: "2016-10-10T02:00:00Z")
            try await submission.update(on: app.db)

            func patch(_ deadline: String, as username: String, status: HTTPStatus, code: String? = nil) async throws {
                try await app.testing().test(.PATCH, "/api/v1/integration/\(b)", headers: try await TestUsers.bearer(app, username),
                                             beforeRequest: { try $0.content.encode(["deadline": deadline], as: .json) }) { response in
                    #expect(response.status == status, "\(deadline): \(response.body.string)")
                    if let code { #expect(response.body.string.contains(code)) }
                }
            }
            try await patch("2016-10-15", as: "chengdu", status: .forbidden)
            try await patch("2016-13-01", as: "sheng", status: .unprocessableEntity, code: "deadline.invalid")
            try await patch("2031-01-01", as: "sheng", status: .unprocessableEntity, code: "deadline.out_of_range")
            #expect(try await IntegrationBatchModel.find(b, on: app.db)?.deadline == "2016-09-30", "refusals change nothing")

            try await patch("2016-10-15", as: "sheng", status: .ok)
            #expect(try await IntegrationBatchModel.find(b, on: app.db)?.deadline == "2016-10-15")
            let city = try await overview(app, batch: b, as: "chengdu")
            #expect(city.deadline == "2016-10-15" && city.rows.first { $0.code == "510105" }?.late == false && !city.mayChangeDeadline)
            #expect(try await overview(app, batch: b, as: "sheng").mayChangeDeadline)
            let audit = try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "integration_batch").filter(\.$action == "update").all()
            #expect(audit.count == 1 && audit[0].summary.contains("2016-10-15") && audit[0].summary.contains("1 个提交"))

            let session = try await TestUsers.session(app, "sheng")
            try await app.testing().test(.POST, "/integration/\(b)/deadline", headers: session.headers, beforeRequest: {
                try $0.content.encode(["_csrf": session.csrf, "deadline": "2016-10-31"], as: .urlEncodedForm)
            }) { response in
                #expect(response.status == .seeOther)
            }
            #expect(try await IntegrationBatchModel.find(b, on: app.db)?.deadline == "2016-10-31")
        }
    }

    @Test func theProvinceAddsACooperationProjectAndEveryoneSeesIt() async throws {
        try await withTestApp(demo: .small) { app in
            var projects: [ProjectCatalogue.ProjectDTO] = []
            try await app.testing().test(.GET, "/api/v1/projects", headers: try await TestUsers.bearer(app, "jinjiang")) { response in
                projects = try response.content.decode([ProjectCatalogue.ProjectDTO].self)
            }
            #expect(projects.map(\.name) == CooperationProjects.all.map(\.name))
            #expect(projects[2].pilotRegionNames == "绵阳市盐亭县、泸州市泸县、宜宾市江安县")

            let body: [String: AnyEncodableValue] = ["name": .text("中国联通乡村教师信息化培训"), "organiser": .text("四川省教育厅"),
                                                      "startYear": .number(2015), "endYear": .number(2016), "pilotRegions": .list(["盐亭县", "510521"])]
            try await app.testing().test(.POST, "/api/v1/projects", headers: try await TestUsers.bearer(app, "chengdu"),
                                         beforeRequest: { try $0.content.encode(body, as: .json) }) { response in
                #expect(response.status == .forbidden)
            }
            try await app.testing().test(.POST, "/api/v1/projects", headers: try await TestUsers.bearer(app, "sheng"),
                                         beforeRequest: { try $0.content.encode(body, as: .json) }) { response in
                #expect(response.status == .created, "\(response.body.string)")
                let created = try response.content.decode(ProjectCatalogue.ProjectDTO.self)
                #expect(created.pilotRegions == ["510723", "510521"] && created.startYear == 2015)
            }
            try await app.testing().test(.POST, "/api/v1/projects", headers: try await TestUsers.bearer(app, "sheng"),
                                         beforeRequest: { try $0.content.encode(body, as: .json) }) { response in
                #expect(response.status == .unprocessableEntity && response.body.string.contains("project.name_taken"))
            }
            #expect(try await ProjectModel.query(on: app.db).filter(\.$name == "中国联通乡村教师信息化培训").count() == 1)
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "project").count() == 1)

            let session = try await TestUsers.session(app, "sheng")
            try await app.testing().test(.POST, "/projects", headers: session.headers, beforeRequest: {
                try $0.content.encode(["_csrf": session.csrf, "name": "", "organiser": "省电教馆", "startYear": "2018", "endYear": "", "pilotRegions": "火星县"],
                                      as: .urlEncodedForm)
            }) { response in
                #expect(response.status == .unprocessableEntity)
                let html = response.body.string
                #expect(html.contains("项目名称：请填写项目名称") && html.contains("请填写结束年度") && html.contains("找不到地区“火星县”"))
                #expect(html.contains("value=\"省电教馆\""), "what was typed is kept")
            }
            try await app.testing().test(.GET, "/integration/import", headers: session.headers) { response in
                #expect(response.body.string.contains("中国联通乡村教师信息化培训"), "the new project can take a qualified list")
            }
            try await app.testing().test(.GET, "/projects", headers: try await TestUsers.session(app, "jinjiang").headers) { response in
                #expect(response.status == .ok && response.body.string.contains("中国联通乡村教师信息化培训"))
                #expect(!response.body.string.contains("新增合作项目"), "only the province adds")
            }
        }
    }
}

/// JSON bodies mixing strings, numbers and lists.
enum AnyEncodableValue: Encodable {
    case text(String), number(Int), list([String])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .list(let value): try container.encode(value)
        }
    }
}

extension IntegrationTests {
    @Test func theWorklistFiltersSearchesAndPages() async throws {
        try await withTestApp(demo: .small) { app in
            try await registerInQingyang(app, id: Self.id("51010419870303003"), name: "王方")
            let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").sort(\.$id).first()!
            _ = try await importList(app, school: school.name)
            let b = try await IntegrationBatchModel.query(on: app.db).first()!.id!
            let all = try await county(app, batch: b, as: "jinjiang")
            #expect(all.total == 4 && all.pageCount == 1 && all.entries.map(\.sequence) == [1, 2, 3, 4])
            try await post(app, "/api/v1/integration/entries/\(all.entries[0].id)/verify", as: "jinjiang", ["certificateNumber": "YD-1"], status: .ok)

            func list(_ query: String) async throws -> IntegrationController.CountyDTO {
                var dto: IntegrationController.CountyDTO?
                try await app.testing().test(.GET, "/api/v1/integration/\(b)/entries?\(query)", headers: try await TestUsers.bearer(app, "jinjiang")) { response in
                    #expect(response.status == .ok, "\(query): \(response.body.string)")
                    dto = try response.content.decode(IntegrationController.CountyDTO.self)
                }
                return try #require(dto)
            }
            #expect(try await list("status=verified").entries.map(\.name) == ["张伟"])
            #expect(try await list("status=pending").total == 3)
            #expect(try await list("status=conflict").entries.map(\.name) == ["王芳"])
            #expect(try await list("q=%E8%B5%B5").entries.map(\.name) == ["赵敏"], "a name's first character")
            #expect(try await list("q=" + String(Self.id("51010419900606006").suffix(4))).entries.map(\.name) == ["钱进"])
            #expect(try await list("q=\(Self.id("51010419880404004"))&status=pending").entries.map(\.name) == ["赵敏"])
            #expect(try await list("q=\(Self.id("51010419880404004"))&status=verified").total == 0)
            let second = try await list("perPage=3&page=2")
            #expect(second.total == 4 && second.pageCount == 2 && second.entries.map(\.sequence) == [4])

            for bad in ["status=done", "q=12"] {
                try await app.testing().test(.GET, "/api/v1/integration/\(b)/entries?\(bad)", headers: try await TestUsers.bearer(app, "jinjiang")) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                }
            }

            let session = try await TestUsers.session(app, "jinjiang")
            try await app.testing().test(.GET, "/integration/\(b)?status=pending", headers: session.headers) { response in
                let html = response.body.string
                #expect(html.contains("待核实 <small>3</small>") && html.contains("已核实 <small>1</small>") && html.contains("符合条件 3 人"))
                #expect(!html.contains(">张伟<"), "the verified teacher is not on the pending tab")
                #expect(!html.contains(">清除<"), "nothing to clear without a search")
            }
            // A form sent from a filtered page comes back to it, says what it did and returns to
            // the row; a verified entry leaves the 待核实 tab, so the row that followed it.
            var headers = session.headers
            headers.replaceOrAdd(name: .referer, value: "http://127.0.0.1:8080/integration/\(b)?county=510104&status=pending&q=%E8%B5%B5&done=reject&entry=1")
            let zhao = all.entries[2].id
            try await app.testing().test(.POST, "/integration/entries/\(zhao)/verify", headers: headers, beforeRequest: {
                try $0.content.encode(["_csrf": session.csrf, "certificateNumber": "YD-3", "next": String(all.entries[3].id)], as: .urlEncodedForm)
            }) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers.first(name: .location)
                    == "/integration/\(b)?county=510104&status=pending&q=%E8%B5%B5&done=verify&entry=\(zhao)#entry-\(all.entries[3].id)")
            }
            headers.replaceOrAdd(name: .referer, value: "http://evil.example/elsewhere")
            try await app.testing().test(.POST, "/integration/entries/\(all.entries[3].id)/verify", headers: headers, beforeRequest: {
                try $0.content.encode(["_csrf": session.csrf, "certificateNumber": "YD-4"], as: .urlEncodedForm)
            }) { response in
                #expect(response.headers.first(name: .location) == "/integration/\(b)?done=verify&entry=\(all.entries[3].id)#entry-\(all.entries[3].id)")
            }
        }
    }
}

extension IntegrationTests {
    @Test func everyConflictKindIsFoundAndTheFirstOneWins() async throws {
        try await withTestApp(demo: .small) { app in
            // 张伟: registered in 青羊区 under another name too (registered elsewhere wins);
            // 王芳: registered here as 王方 (name differs); 钱进: passed 中国电信 already (integrated);
            // 赵敏: registered here as herself (no conflict); 孙丽 waits in triage, registered here as 孙莉.
            try await registerInQingyang(app, id: Self.id("51010419850101001"), name: "张卫")
            try await register(app, id: Self.id("51010419870303003"), name: "王方", county: "510104")
            let qian = try await register(app, id: Self.id("51010419900606006"), name: "钱进", county: "510104")
            try await register(app, id: Self.id("51010419880404004"), name: "赵敏", county: "510104")
            try await register(app, id: Self.id("51010419890505005"), name: "孙莉", county: "510104")
            let telecom = try await ProjectModel.query(on: app.db).filter(\.$name == "中国电信中小学校长信息技术应用能力提升项目").first()!
            let record = TrainingRecordModel()
            record.teacherID = qian.id!
            record.projectID = telecom.id!
            record.year = 2015
            record.result = "passed"
            try await record.create(on: app.db)

            let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").sort(\.$id).first()!
            _ = try await importList(app, school: school.name)
            let b = try await IntegrationBatchModel.query(on: app.db).first()!.id!
            let view = try await county(app, batch: b, as: "jinjiang")
            let conflicts = Dictionary(uniqueKeysWithValues: view.entries.map { ($0.name, $0.conflict ?? "none") })
            #expect(conflicts == ["张伟": "registered_elsewhere", "王芳": "name_mismatch", "钱进": "already_integrated", "赵敏": "none"])
            #expect(view.entries.first { $0.name == "钱进" }?.conflictLabel?.contains("仍可认定") == true)

            let triage = try #require(try await overview(app, batch: b, as: "sheng").triage.first)
            try await post(app, "/api/v1/integration/entries/\(triage.id)/assign", as: "sheng", ["county": "锦江区"], status: .ok)
            let placed = try await county(app, batch: b, as: "jinjiang").entries.first { $0.name == "孙丽" }
            #expect(placed?.conflict == "name_mismatch" && placed?.sequence == 5)
            #expect(try await county(app, batch: b, as: "jinjiang").openConflicts == 4)
        }
    }
}
