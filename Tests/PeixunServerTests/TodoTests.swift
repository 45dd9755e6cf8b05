import Fluent
import Foundation
import PeixunCore
import Testing
import Vapor
import VaporTesting
@testable import PeixunServer

/// 待办: each role's landing page lists what waits for it, overdue first, within its scope.
@Suite struct TodoTests {
    func post(_ app: Application, _ path: String, as username: String, _ body: [String: String] = [:]) async throws {
        try await app.testing().test(.POST, "/api/v1/plans/2017/\(path)", headers: try await TestUsers.bearer(app, username), beforeRequest: {
            try $0.content.encode(body, as: .json)
        }) { response in
            #expect(response.status == .ok, "\(path): \(response.body.string)")
        }
    }

    func putPlan(_ app: Application, _ county: String, as username: String) async throws {
        struct Body: Content { let provincialDemand: Int?; let localPlan: Int?; let remarks: String }
        try await app.testing().test(.PUT, "/api/v1/plans/2017/\(county)", headers: try await TestUsers.bearer(app, username), beforeRequest: {
            try $0.content.encode(Body(provincialDemand: 10, localPlan: 40, remarks: ""), as: .json)
        }) { #expect($0.status == .ok, "\($0.body.string)") }
    }

    func board(_ app: Application, as username: String) async throws -> TodoBoard.Board {
        var board: TodoBoard.Board?
        try await app.testing().test(.GET, "/api/v1/todo", headers: try await TestUsers.bearer(app, username)) { response in
            #expect(response.status == .ok, "\(response.body.string)")
            board = try response.content.decode(TodoBoard.Board.self)
        }
        return board!
    }

    @Test func aCountySeesItsSentBackPlanAndOverdueTasksFirstAndACitySeesWhatItsCountiesSubmitted() async throws {
        try await withTestApp(demo: .small) { app in
            app.clock = FixedClock(CivilDate(year: 2017, month: 3, day: 20)!)
            try await putPlan(app, "510104", as: "jinjiang")
            try await post(app, "510104/submit", as: "jinjiang", ["filler": "张老师", "phone": "028-86000000"])
            try await post(app, "510104/send-back", as: "chengdu", ["reason": "计划数偏少，请核实"])
            try await putPlan(app, "510105", as: "qingyang")
            try await post(app, "510105/submit", as: "qingyang", ["filler": "李老师", "phone": "028-86000001"])
            app.clock = FixedClock(CivilDate(year: 2017, month: 4, day: 3)!)

            let county = try await board(app, as: "jinjiang")
            let plan = try #require(county.items.first { $0.title.contains("培训计划") })
            #expect(plan.title.contains("已退回") && plan.detail == "退回原因：计划数偏少，请核实" && plan.url == "/plans?year=2017")
            let contacts = try #require(county.items.first { $0.title.contains("项目联系人") && $0.title.contains("未提交") })
            #expect(contacts.overdue && contacts.daysLeft == -3 && contacts.deadline == "2017-03-31" && contacts.daysLabel == "已逾期 3 天")
            #expect(county.items.first?.overdue == true)
            #expect(county.items.map(\.overdue) == county.items.map(\.overdue).sorted { $0 && !$1 }, "overdue first")
            #expect(!county.items.contains { $0.title.contains("待审核") || ($0.detail ?? "").contains("青羊") })
            #expect(county.total == county.items.reduce(0) { $0 + $1.count })

            let city = try await board(app, as: "chengdu")
            let review = try #require(city.items.first { $0.title.contains("待审核") && $0.title.contains("培训计划") })
            #expect(review.count == 1 && review.detail == "1 个县(市、区)已提交")
            let other = try await board(app, as: "zigong")
            #expect(!other.items.contains { $0.title.contains("待审核") })
            #expect(!other.items.contains { ($0.detail ?? "").contains("锦江") || ($0.detail ?? "").contains("青羊") })

            for username in ["sheng", "chengdu", "zigong", "jinjiang", "qingyang", "jigou", "pingshen"] {
                let session = try await TestUsers.session(app, username)
                try await app.testing().test(.GET, "/todo", headers: session.headers) { response in
                    #expect(response.status == .ok, "\(username)")
                    #expect(response.body.string.contains("<h1>待办事项</h1>"), "\(username)")
                    if ["jigou", "pingshen"].contains(username) { #expect(response.body.string.contains("暂无待办事项")) }
                    if username == "jinjiang" { #expect(response.body.string.contains("计划数偏少，请核实")) }
                }
            }
            for username in ["sheng", "chengdu", "jinjiang"] {
                try await app.testing().test(.GET, "/", headers: try await TestUsers.session(app, username).headers) {
                    #expect($0.headers.first(name: .location) == "/todo", "\(username)")
                }
            }
        }
    }

    /// The menu's number beside 待办, read from a page the user opens.
    func badge(_ app: Application, as username: String) async throws -> Int? {
        var badge: Int?
        try await app.testing().test(.GET, "/account/password", headers: try await TestUsers.session(app, username).headers) { response in
            let html = response.body.string
            if let range = html.range(of: "<span class=\"badge\" title=\"待办事项\">") {
                badge = Int(html[range.upperBound...].prefix { $0.isNumber })
            }
        }
        return badge
    }

    /// A county's pending entries, per batch whose county part it may still change (open or sent
    /// back), with the batch's year and deadline; a batch it submitted waits for the city, not for it.
    @Test func aCountySeesItsPendingEntriesPerBatchItMayStillChange() async throws {
        try await withTestApp { app in
            let api = ContactsAPI(app: app)
            let open = try await makeIntegrationBatch(app)
            let submitted = try await makeIntegrationBatch(app, year: 2018, deadline: "2018-06-30")
            let returned = try await makeIntegrationBatch(app, year: 2017, deadline: "2017-06-30")
            var sequence = 0
            for (batch, county, status, n) in [(open, "510104", "pending", 3), (open, "510104", "verified", 2), (open, "510105", "pending", 4),
                                                (submitted, "510104", "pending", 1), (returned, "510104", "pending", 2)] {
                for _ in 0..<n {
                    sequence += 1
                    let entry = IntegrationEntryModel()
                    entry.batchID = batch.id!
                    entry.countyCode = county
                    entry.cityCode = "510100"
                    entry.sequence = sequence
                    entry.name = "名单教师"
                    entry.residentID = ResidentID.completing(body: String(format: "51010419800101%03d", sequence)).value
                    entry.status = status
                    entry.added = false
                    try await entry.create(on: app.db)
                }
            }
            try await api.submission(workflow: "integration", subject: submitted.id!, region: "510104", level: "county", state: .submitted,
                                     on: CivilDate(year: 2016, month: 9, day: 1)!)
            try await api.submission(workflow: "integration", subject: returned.id!, region: "510104", level: "county", state: .returned,
                                     on: CivilDate(year: 2017, month: 6, day: 1)!)
            let items = try await board(app, as: "jinjiang").items.filter { $0.title.hasPrefix("整合名单待核实") }
            #expect(items.map(\.title) == ["整合名单待核实（第\(open.id!)批，2016年）", "整合名单待核实（第\(returned.id!)批，2017年）"])
            #expect(items.map(\.count) == [3, 2], "pending entries of 锦江区 only")
            #expect(items.map(\.deadline) == ["2016-09-30", "2017-06-30"])
            #expect(items.map(\.detail) == [nil, "已退回，请修改后重新提交"])
            #expect(items.map(\.url) == ["/integration/\(open.id!)", "/integration/\(returned.id!)"])
            #expect(items.allSatisfy { $0.action })
        }
    }

    /// A city sees each batch its counties submitted, with how many and the batch's deadline;
    /// the province sees the cities' parts; a part already approved waits for nobody.
    @Test func eachLevelSeesTheBatchesSubmittedToItWithTheirDeadlines() async throws {
        try await withTestApp { app in
            let api = ContactsAPI(app: app)
            let first = try await makeIntegrationBatch(app)
            let second = try await makeIntegrationBatch(app, year: 2017, deadline: "2017-06-30")
            for (batch, region, level, state) in [(first, "510104", "county", ApprovalState.submitted), (first, "510105", "county", .submitted),
                                                   (first, "510106", "county", .approved), (second, "510104", "county", .submitted),
                                                   (second, "510100", "city", .submitted), (first, "510300", "city", .approved)] {
                try await api.submission(workflow: "integration", subject: batch.id!, region: region, level: level, state: state,
                                         on: CivilDate(year: 2016, month: 9, day: 1)!)
            }
            let city = try await board(app, as: "chengdu").items.filter { $0.title.hasPrefix("待审核：整合名单") }
            #expect(city.map(\.title) == ["待审核：整合名单（第\(first.id!)批）", "待审核：整合名单（第\(second.id!)批）"])
            #expect(city.map(\.count) == [2, 1])
            #expect(city.map(\.detail) == ["2 个县(市、区)已提交", "1 个县(市、区)已提交"])
            #expect(city.map(\.deadline) == ["2016-09-30", "2017-06-30"])
            #expect(city.map(\.url) == ["/integration/\(first.id!)/overview", "/integration/\(second.id!)/overview"])
            let province = try await board(app, as: "sheng").items.filter { $0.title.hasPrefix("待审核：整合名单") }
            #expect(province.map(\.title) == ["待审核：整合名单（第\(second.id!)批）"])
            #expect(province.first?.detail == "1 个市(州)已提交" && province.first?.deadline == "2017-06-30")
        }
    }

    @Test func reissueStepsTransfersUnfinishedImportsAndInstitutionWorkAreOnTheBoardAndTheMenuCountsTheActionItems() async throws {
        try await withTestApp(demo: .small) { app in
            app.clock = FixedClock(CivilDate(year: 2017, month: 3, day: 20)!)
            let users = Dictionary(uniqueKeysWithValues: try await UserModel.query(on: app.db).all().map { ($0.username, $0.id!) })
            // 锦江区: a reissue request to check, a teacher coming from 青羊区, a roster it previewed and left.
            _ = try await CertificateIssuance(application: app, actor: .commandLine).issue(regionCode: "510104")
            let certificates = try await CertificateModel.query(on: app.db).filter(\.$countyCode == "510104").limit(2).all()
            let certificate = try #require(certificates.first)
            let round = ReissueRoundModel()
            round.cityCode = certificate.cityCode
            round.opened = Date()
            try await round.create(on: app.db)
            func request(_ certificate: CertificateModel, status: ReissueStatus) async throws {
                let request = ReissueRequestModel()
                request.certificateID = certificate.id!
                request.teacherID = certificate.teacherID
                request.countyCode = certificate.countyCode
                request.cityCode = certificate.cityCode
                request.roundID = round.id!
                request.storedKind = ReissueKind.lost.rawValue
                request.reason = "证书遗失"
                request.storedStatus = status.rawValue
                request.requestedBy = "test"
                request.requestedRole = Role.county.rawValue
                request.requestedAt = Date()
                request.updatedAt = Date()
                try await request.create(on: app.db)
            }
            try await request(certificate, status: .check)
            let teachers = try await TeacherModel.query(on: app.db).filter(\.$countyCode == "510105").limit(1).all()
            let teacher = try #require(teachers.first)
            let transfer = TransferModel()
            transfer.teacherID = teacher.id!
            transfer.fromSchoolID = teacher.$school.id
            transfer.fromCountyCode = "510105"
            transfer.fromCityCode = "510100"
            transfer.toCountyCode = "510104"
            transfer.toCityCode = "510100"
            transfer.status = TransferModel.Status.pending.rawValue
            transfer.requestedBy = "qingyang"
            transfer.requestedAt = Date()
            try await transfer.create(on: app.db)
            let upload = ImportUploadModel()
            upload.userID = users["jinjiang"]!
            upload.kind = "teachers"
            upload.fileName = "锦江区名册<b>.xlsx"
            upload.sha256 = ""
            upload.content = Data()
            upload.createSchools = false
            upload.createdAt = app.clock.now()
            try await upload.create(on: app.db)

            let county = try await board(app, as: "jinjiang")
            #expect(county.items.contains { $0.title == "证书补发申请待县级审核" && $0.count == 1 && $0.url == "/reissue" && $0.action })
            #expect(county.items.contains { $0.title == "教师调动待本县接收" && $0.count == 1 && $0.url == "/transfers" })
            let unfinished = try #require(county.items.first { $0.title.hasPrefix("导入未完成") })
            #expect(unfinished.url == "/teachers/import" && unfinished.detail?.contains("锦江区名册<b>.xlsx") == true)
            #expect(!county.items.first { $0.title.contains("未提交") }!.action, "a deadline ahead is not counted in the menu")
            let other = try await board(app, as: "qingyang")
            #expect(!other.items.contains { $0.title.contains("调动") || $0.title.contains("补发") || $0.title.contains("导入") })

            // The institution: a statement for a teacher of its project; the county writes it while no account runs the project.
            let statement = try #require(certificates.last)
            #expect(statement.id != certificate.id)
            try await request(statement, status: .statement)
            #expect(try await board(app, as: "jinjiang").items.contains { $0.title.contains("待代录情况说明") })
            let records = try await TrainingRecordModel.query(on: app.db).filter(\.$teacherID == statement.teacherID).limit(1).all()
            let record = try #require(records.first)
            try await InstitutionProjects.assign([record.projectID], to: try #require(try await UserModel.find(users["jigou"]!, on: app.db)),
                                                 actor: .commandLine, on: app.db)
            #expect(try await board(app, as: "jigou").items.contains { $0.title == "证书补发：待出具情况说明" && $0.count >= 1 })
            #expect(!(try await board(app, as: "jinjiang").items.contains { $0.title.contains("待代录情况说明") }))

            for username in ["sheng", "chengdu", "jinjiang", "qingyang", "jigou"] {
                let board = try await board(app, as: username)
                let shown = try await badge(app, as: username)
                #expect(shown == (board.waiting > 0 ? board.waiting : nil), "\(username): menu \(String(describing: shown)), board \(board.waiting)")
            }
            #expect(try await badge(app, as: "jinjiang") ?? 0 >= 3)

            // The reviewer lands on its tools; no role has a menu of 修改密码 alone.
            try await app.testing().test(.GET, "/", headers: try await TestUsers.session(app, "pingshen").headers) {
                #expect($0.headers.first(name: .location) == "/title-check")
            }
            for username in ["pingshen", "jigou"] {
                try await app.testing().test(.GET, "/account/password", headers: try await TestUsers.session(app, username).headers) { response in
                    let nav = response.body.string.components(separatedBy: "<nav>").dropFirst().first?.components(separatedBy: "</nav>").first ?? ""
                    #expect(nav.components(separatedBy: "<a ").count - 1 >= 3, "\(username)'s menu: \(nav)")
                }
            }
        }
    }
}
