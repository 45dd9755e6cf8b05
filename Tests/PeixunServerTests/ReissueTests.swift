import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// 证书补发: a request by the teacher or its county, the institution's statement, the county's
/// check, and the round county → city → province on the approval engine; approving reissues,
/// reopening undoes it.
@Suite struct ReissueTests {
    static let issueDay = CivilDate(year: 2017, month: 3, day: 31)!
    static let reissueDay = CivilDate(year: 2018, month: 5, day: 4)!

    /// A request body or a form, sent as JSON with a bearer token.
    func call(_ app: Application, _ path: String, method: HTTPMethod = .POST, as username: String, _ body: [String: String] = [:],
              status: HTTPStatus = .ok) async throws -> String {
        let headers = try await TestUsers.bearer(app, username)
        var text = ""
        try await app.testing().test(method, path, headers: headers, beforeRequest: { request in
            if method != .GET { try request.content.encode(body, as: .json) }
        }) { response in
            #expect(response.status == status, "\(method) \(path) as \(username): \(response.body.string)")
            text = response.body.string
        }
        return text
    }

    func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    struct Setup {
        let certificate: CertificateModel
        let teacher: TeacherModel
        let teacherUser: String
        let projectID: Int
    }

    /// 锦江区 certificates issued on 2017-03-31; the first one's teacher gets an account; the
    /// clock moves on to 2018.
    func setUp(_ app: Application) async throws -> Setup {
        app.clock = FixedClock(Self.issueDay)
        _ = try await CertificateIssuance(application: app, actor: .commandLine).issue(regionCode: "510104")
        app.clock = FixedClock(Self.reissueDay)
        let certificate = try #require(try await CertificateModel.query(on: app.db).filter(\.$countyCode == "510104").sort(\.$number).first())
        let teacher = try #require(try await TeacherModel.find(certificate.teacherID, on: app.db))
        let user = try await TestUsers.createTeacherUser(app, teacher: teacher)
        let record = try #require(try await TrainingRecordModel.query(on: app.db).filter(\.$teacherID == teacher.id!).first())
        return Setup(certificate: certificate, teacher: teacher, teacherUser: user.username, projectID: record.projectID)
    }

    func link(_ app: Application, institution: String = "jigou", projects: [Int]) async throws {
        let id = try #require(try await UserModel.query(on: app.db).filter(\.$username == institution).first()?.id)
        let headers = try await TestUsers.bearer(app, "sheng")
        try await app.testing().test(.POST, "/api/v1/institutions/\(id)/projects", headers: headers, beforeRequest: {
            try $0.content.encode(["projects": projects], as: .json)
        }) { response in
            #expect(response.status == .ok, "\(response.body.string)")
            let linked = try response.content.decode(ReissueController.ProjectsDTO.self)
            #expect(linked.projects == projects.sorted())
        }
    }

    func request(_ app: Application, _ number: String, kind: String = "lost", name: String? = nil, as username: String,
                 status: HTTPStatus = .created) async throws -> ReissueRequestDTO? {
        var body = ["number": number, "kind": kind, "reason": "搬家时遗失"]
        if let name { body["correctedName"] = name }
        let text = try await call(app, "/api/v1/reissue/requests", as: username, body, status: status)
        return status == .created ? try decode(ReissueRequestDTO.self, text) : nil
    }

    func step(_ app: Application, _ id: Int, _ step: String, as username: String, _ body: [String: String] = [:],
              status: HTTPStatus = .ok) async throws -> ReissueRequestDTO? {
        let text = try await call(app, "/api/v1/reissue/requests/\(id)/\(step)", as: username, body, status: status)
        return status == .ok ? try decode(ReissueRequestDTO.self, text) : nil
    }

    @discardableResult
    func decide(_ app: Application, round: Int, _ decision: String, as username: String, _ body: [String: String] = [:],
                status: HTTPStatus = .ok) async throws -> ReissueDesk.OverviewDTO? {
        let text = try await call(app, "/api/v1/reissue/rounds/\(round)/\(decision)", as: username, body, status: status)
        return status == .ok ? try decode(ReissueDesk.OverviewDTO.self, text) : nil
    }

    func overview(_ app: Application, as username: String, region: String? = nil) async throws -> ReissueDesk.OverviewDTO {
        try decode(ReissueDesk.OverviewDTO.self, try await call(app, "/api/v1/reissue" + (region.map { "?region=\($0)" } ?? ""), method: .GET, as: username))
    }

    func verify(_ app: Application, _ token: String) async throws -> VerificationDTO {
        var answer: VerificationDTO?
        try await app.testing().test(.GET, "/api/v1/verify/\(token)") { answer = try $0.content.decode(VerificationDTO.self) }
        return try #require(answer)
    }

    func pdfText(_ app: Application, _ number: String, as username: String) async throws -> String {
        let headers = try await TestUsers.bearer(app, username)
        var bytes = Data()
        try await app.testing().test(.GET, "/certificates/\(number)/pdf", headers: headers) { response in
            #expect(response.status == .ok)
            bytes = Data(buffer: response.body)
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("reissue-\(UUID().uuidString).pdf")
        try bytes.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pdftotext")
        process.arguments = [file.path, "-"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self).filter { !$0.isWhitespace }
    }

    @Test func aLostCertificateIsReissuedThroughCountyCityAndProvinceAndReopeningRestoresIt() async throws {
        try await withTestApp(demo: .small) { app in
            let setup = try await setUp(app)
            try await link(app, projects: [setup.projectID])
            let old = setup.certificate

            // The teacher asks from 我的证书; a second open request for the same certificate is refused.
            let created = try #require(try await request(app, old.number, as: setup.teacherUser))
            #expect(created.status == "statement" && created.institutionLinked && created.requestedBy == "teacher")
            _ = try await request(app, old.number, as: "jinjiang", status: .conflict)
            let round = created.roundID

            // The county cannot submit while the request is unconfirmed, nor write the statement
            // itself when an institution is linked; the institution sees it and confirms.
            let refused = try await call(app, "/api/v1/reissue/rounds/\(round)/submit", as: "jinjiang", status: .conflict)
            #expect(refused.contains("reissue.unfinished"))
            _ = try await step(app, created.id, "statement", as: "jinjiang", ["text": "县级代录说明"], status: .forbidden)
            let waiting = try await overview(app, as: "jigou")
            #expect(waiting.level == "institution" && waiting.requests.map(\.id) == [created.id] && waiting.requests[0].mayState)
            _ = try await step(app, created.id, "statement", as: "jigou", ["text": "短"], status: .unprocessableEntity)
            let stated = try #require(try await step(app, created.id, "statement", as: "jigou", ["text": "该教师2016年参加本机构培训，成绩合格，证书遗失属实。"]))
            #expect(stated.status == "check" && stated.statementBy?.contains("培训机构") == true)

            // The county accepts and submits; the city submits; the province approves.
            _ = try await call(app, "/api/v1/reissue/rounds/\(round)/submit", as: "chengdu", status: .conflict)
            #expect(try await step(app, created.id, "accept", as: "jinjiang")?.status == "accepted")
            let county = try #require(try await decide(app, round: round, "submit", as: "jinjiang"))
            #expect(county.state == "submitted" && county.requests.allSatisfy { !$0.mayReturn && !$0.mayAccept })
            _ = try await step(app, created.id, "return", as: "jinjiang", ["reason": "再看看"], status: .conflict)
            _ = try await decide(app, round: round, "approve", as: "sheng", status: .conflict)
            let city = try #require(try await decide(app, round: round, "submit", as: "chengdu"))
            #expect(city.state == "submitted")
            _ = try await decide(app, round: round, "approve", as: "chengdu", status: .forbidden)
            let province = try #require(try await decide(app, round: round, "approve", as: "sheng"))
            #expect(province.state == "approved" && province.requests.first?.status == "reissued")

            // The old certificate is superseded and points to the new one, numbered in 锦江区's 2018 serial.
            let reissued = try #require(try await CertificateModel.query(on: app.db).filter(\.$teacherID == setup.teacher.id!)
                .filter(\.$storedStatus == "valid").first())
            let number = try #require(CertificateNumber(parsing: reissued.number))
            #expect(number.year == 2018 && number.countyCode == "510104" && number.serial == 1)
            #expect(reissued.token != old.token && reissued.issuedOn == "2018-05-04")
            let snapshot = try reissued.snapshot()
            #expect(snapshot.replaces?.value == old.number && snapshot.teacherName == setup.teacher.name)
            #expect(snapshot.completed == (try old.snapshot()).completed)
            let answer = try await verify(app, old.token)
            #expect(answer.status == "superseded" && answer.statusLabel == "已补发" && answer.replacedBy == reissued.number)
            #expect(try await verify(app, reissued.token).status == "valid")
            let text = try await pdfText(app, reissued.number, as: setup.teacherUser)
            #expect(text.contains("（补发，原证书\(old.number)作废）"), "\(text)")
            try await app.testing().test(.GET, "/me/certificates", headers: try await TestUsers.bearer(app, setup.teacherUser)) { response in
                #expect(response.text.contains("已补发") && response.text.contains(reissued.number))
            }
            let audited = try await AuditEntryModel.query(on: app.db).filter(\.$objectType ~~ ["reissue_request", "reissue_round"]).all()
            #expect(audited.count == 6)
            #expect(audited.contains { $0.action == "approve" && $0.summary.contains("补发证书 1 张") && $0.changes.contains(reissued.number) })

            // Reopening deletes the new certificate and makes the old one valid again.
            let reopened = try #require(try await decide(app, round: round, "reopen", as: "sheng"))
            #expect(reopened.state == "submitted" && reopened.requests.first?.status == "accepted")
            #expect(try await CertificateModel.find(reissued.id, on: app.db) == nil)
            let restored = try #require(try await CertificateModel.find(old.id, on: app.db))
            #expect(try restored.status() == .valid && restored.supersededBy == nil)
            #expect(try await verify(app, old.token).status == "valid")
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action == "cancel").filter(\.$objectType == "reissue_round").count() == 1)
            // Approving again uses the next serial: numbers are never reused.
            _ = try await decide(app, round: round, "approve", as: "sheng")
            let again = try #require(try await CertificateModel.query(on: app.db).filter(\.$teacherID == setup.teacher.id!).filter(\.$storedStatus == "valid").first())
            #expect(CertificateNumber(parsing: again.number)?.serial == 2)
            // A new request now opens the city's next round.
            let other = try #require(try await CertificateModel.query(on: app.db).filter(\.$countyCode == "510104").filter(\.$storedStatus == "valid")
                .filter(\.$teacherID != setup.teacher.id!).first())
            let next = try #require(try await request(app, other.number, kind: "damaged", as: "jinjiang"))
            #expect(next.roundID != round && next.requestedBy == "county")
        }
    }

    @Test func aCorrectionChangesTheNameOnTheNewCertificateOnly() async throws {
        try await withTestApp(demo: .small) { app in
            let setup = try await setUp(app)
            let old = setup.certificate
            _ = try await request(app, old.number, kind: "correction", name: "李=1", as: "jinjiang", status: .unprocessableEntity)
            _ = try await request(app, old.number, kind: "correction", name: setup.teacher.name, as: "jinjiang", status: .unprocessableEntity)
            _ = try await request(app, old.number, kind: "correction", name: "王小明", as: "chengdu", status: .forbidden)
            let created = try #require(try await request(app, old.number, kind: "correction", name: "王　小明", as: "jinjiang"))
            #expect(created.correctedName == "王小明" && !created.institutionLinked)
            // No institution runs the teacher's projects: the county records the statement itself.
            _ = try await step(app, created.id, "statement", as: "jigou", ["text": "机构说明五个字"], status: .notFound)
            #expect(try await step(app, created.id, "statement", as: "jinjiang", ["text": "经核对户籍资料，姓名应为王小明。"])?.status == "check")
            _ = try await step(app, created.id, "accept", as: "jinjiang")
            _ = try await decide(app, round: created.roundID, "submit", as: "jinjiang")
            _ = try await decide(app, round: created.roundID, "submit", as: "chengdu")
            _ = try await decide(app, round: created.roundID, "approve", as: "sheng")
            let new = try #require(try await CertificateModel.query(on: app.db).filter(\.$teacherID == setup.teacher.id!).filter(\.$storedStatus == "valid").first())
            #expect(try new.snapshot().teacherName == "王小明")
            let oldAgain = try #require(try await CertificateModel.find(old.id, on: app.db))
            #expect(try oldAgain.snapshot().teacherName == setup.teacher.name && oldAgain.snapshotJSON == old.snapshotJSON)
            #expect(try await TeacherModel.find(setup.teacher.id, on: app.db)?.name == setup.teacher.name)
            #expect(try await verify(app, new.token).holder == "王*明")
        }
    }

    @Test func countiesAndCitiesAreSentBackWithAReason() async throws {
        try await withTestApp(demo: .small) { app in
            let setup = try await setUp(app)
            _ = try await CertificateIssuance(application: app, actor: .commandLine).issue(regionCode: "510105")
            let qingyang = try #require(try await CertificateModel.query(on: app.db).filter(\.$countyCode == "510105").first())
            // The county sends a request back to its requester: closed, with the reason.
            let first = try #require(try await request(app, setup.certificate.number, as: setup.teacherUser))
            _ = try await step(app, first.id, "return", as: "jinjiang", [:], status: .unprocessableEntity)
            let returned = try #require(try await step(app, first.id, "return", as: "jinjiang", ["reason": "请先到学校开具证明"]))
            #expect(returned.status == "returned" && returned.returnedReason == "请先到学校开具证明")
            var teacherView: MyCertificatesController.MineDTO?
            try await app.testing().test(.GET, "/api/v1/me/certificates", headers: try await TestUsers.bearer(app, setup.teacherUser)) {
                teacherView = try $0.content.decode(MyCertificatesController.MineDTO.self)
            }
            #expect(teacherView?.requests.first?.statusLabel == "已退回申请人")

            // Two counties' requests in one round; the city sends 锦江区 back, then the province sends the city back.
            let mine = try #require(try await request(app, setup.certificate.number, as: "jinjiang"))
            let theirs = try #require(try await request(app, qingyang.number, as: "qingyang"))
            #expect(mine.roundID == theirs.roundID && mine.roundID == first.roundID)
            let round = mine.roundID
            for (id, county) in [(mine.id, "jinjiang"), (theirs.id, "qingyang")] {
                _ = try await step(app, id, "statement", as: county, ["text": "本县核实，证书遗失属实。"])
                _ = try await step(app, id, "accept", as: county)
            }
            _ = try await decide(app, round: round, "submit", as: "jinjiang")
            let cityView = try await overview(app, as: "chengdu")
            #expect(cityView.units.map(\.code) == ["510104", "510105"] && cityView.units[0].actions.maySendBack)
            let blocked = try await call(app, "/api/v1/reissue/rounds/\(round)/submit", as: "chengdu", status: .conflict)
            #expect(blocked.contains("approval.children_open"))
            _ = try await decide(app, round: round, "send-back", as: "chengdu", ["county": "510104"], status: .unprocessableEntity)
            _ = try await decide(app, round: round, "send-back", as: "chengdu", ["county": "510302", "reason": "x"], status: .notFound)
            _ = try await decide(app, round: round, "send-back", as: "chengdu", ["county": "510104", "reason": "请补充学校证明"])
            let county = try await overview(app, as: "jinjiang")
            #expect(county.state == "returned" && county.returnedReason == "请补充学校证明" && county.requests.first { $0.id == mine.id }?.mayReturn == true)
            _ = try await decide(app, round: round, "submit", as: "jinjiang")
            _ = try await decide(app, round: round, "submit", as: "qingyang")
            _ = try await decide(app, round: round, "submit", as: "chengdu")
            struct SendBack: Content { let reason: String; let counties: [String] }
            try await app.testing().test(.POST, "/api/v1/reissue/rounds/\(round)/send-back", headers: try await TestUsers.bearer(app, "sheng"), beforeRequest: {
                try $0.content.encode(SendBack(reason: "材料不全", counties: ["510105"]), as: .json)
            }) { #expect($0.status == .ok, "\($0.body.string)") }
            let back = try await overview(app, as: "chengdu")
            #expect(back.state == "returned" && back.returnedReason == "材料不全")
            #expect(back.units.first { $0.code == "510105" }?.state == "returned" && back.units.first { $0.code == "510104" }?.state == "submitted")
            #expect(try await CertificateModel.query(on: app.db).filter(\.$storedStatus == "superseded").count() == 0)
            let reasons = try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "reissue_round").filter(\.$action == "reject").all()
            #expect(reasons.map(\.summary).sorted() == ["退回成都市的证书补发申请：材料不全", "退回锦江区的证书补发申请：请补充学校证明"])
        }
    }

    @Test func outOfScopeUsersGetNotFoundAndInstitutionsLandOnTheirDesk() async throws {
        try await withTestApp(demo: .small) { app in
            let setup = try await setUp(app)
            let created = try #require(try await request(app, setup.certificate.number, as: "jinjiang"))
            let round = created.roundID
            // Another county, city, a reviewer, an unlinked institution, another teacher: not found.
            _ = try await request(app, setup.certificate.number, as: "qingyang", status: .notFound)
            for user in ["qingyang", "zigong", "pingshen", "jigou"] {
                _ = try await step(app, created.id, "accept", as: user, status: .notFound)
            }
            for user in ["zigong", "pingshen", "jigou"] {
                _ = try await decide(app, round: round, "submit", as: user, status: .notFound)
            }
            _ = try await call(app, "/api/v1/reissue?region=510104", method: .GET, as: "qingyang", status: .notFound)
            _ = try await call(app, "/api/v1/reissue?region=510100", method: .GET, as: "zigong", status: .notFound)
            #expect(try await overview(app, as: "jigou").requests.isEmpty)
            #expect(try await overview(app, as: "qingyang").requests.isEmpty)
            let other = try #require(try await TeacherModel.query(on: app.db).filter(\.$countyCode == "510104").filter(\.$id != setup.teacher.id!).first())
            let otherUser = try await TestUsers.createTeacherUser(app, teacher: other)
            _ = try await request(app, setup.certificate.number, as: otherUser.username, status: .notFound)
            _ = try await step(app, created.id, "statement", as: otherUser.username, ["text": "冒充说明五字"], status: .notFound)
            // Only the province links institutions to projects.
            let jigou = try #require(try await UserModel.query(on: app.db).filter(\.$username == "jigou").first()?.id)
            _ = try await call(app, "/api/v1/institutions/\(jigou)/projects", method: .GET, as: "chengdu", status: .notFound)
            _ = try await call(app, "/api/v1/institutions/\(jigou)/projects", method: .POST, as: "sheng", ["projects": "x"], status: .badRequest)

            // An institution lands on its 待办, which lists the statement to write and links its desk; the
            // desk asks before destructive steps.
            try await link(app, projects: [setup.projectID])
            let session = try await TestUsers.session(app, "jigou")
            try await app.testing().test(.GET, "/", headers: session.headers) { #expect($0.headers.first(name: .location) == "/todo") }
            try await app.testing().test(.GET, "/todo", headers: session.headers) { response in
                #expect(response.status == .ok && response.text.contains("/reissue"))
            }
            try await app.testing().test(.GET, "/reissue", headers: session.headers) { response in
                #expect(response.status == .ok && response.text.contains("补发情况说明") && response.text.contains(setup.certificate.number))
                #expect(response.text.contains("name=\"_csrf\"") && response.text.contains("/reissue/requests/\(created.id)/statement"))
                #expect(!response.text.contains("青羊区"))
            }
            // The county's page: the web form's statement works with the CSRF token.
            let county = try await TestUsers.session(app, "jinjiang")
            try await app.testing().test(.GET, "/reissue", headers: county.headers) { response in
                #expect(response.status == .ok && response.text.contains("data-confirm="))
                #expect(response.text.components(separatedBy: "/js/confirm.js").count == 2, "confirm.js once, from the layout")
            }
            try await app.testing().test(.POST, "/reissue/requests/\(created.id)/statement", headers: session.headers, beforeRequest: {
                try $0.content.encode(["_csrf": session.csrf, "text": "该教师参加培训属实，证书损毁。"], as: .urlEncodedForm)
            }) { response in
                #expect(response.status == .seeOther && response.headers.first(name: .location)?.hasPrefix("/reissue?notice=") == true)
            }
            #expect(try await ReissueRequestModel.find(created.id, on: app.db)?.storedStatus == "check")
        }
    }

    @Test func aTeacherAsksFromMyCertificatesWithTheForm() async throws {
        try await withTestApp(demo: .small) { app in
            let setup = try await setUp(app)
            let session = try await TestUsers.session(app, setup.teacherUser)
            try await app.testing().test(.GET, "/me/certificates", headers: session.headers) { response in
                #expect(response.text.contains("申请补发") && response.text.contains("action=\"/reissue/requests\""))
            }
            try await app.testing().test(.POST, "/reissue/requests", headers: session.headers, beforeRequest: {
                try $0.content.encode(["_csrf": session.csrf, "number": setup.certificate.number, "kind": "damaged", "reason": "证书被水浸湿"], as: .urlEncodedForm)
            }) { response in
                #expect(response.status == .seeOther && response.headers.first(name: .location) == "/me/certificates")
            }
            try await app.testing().test(.GET, "/me/certificates", headers: session.headers) { response in
                #expect(response.text.contains("待培训机构出具情况说明") && response.text.contains("损毁"))
                #expect(!response.text.contains("提交补发申请"))
            }
        }
    }
}
