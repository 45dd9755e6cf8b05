import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// JSON calls with a bearer token, shared by the contacts and timeliness tests.
struct ContactsAPI {
    let app: Application

    @discardableResult
    func call(_ path: String, method: HTTPMethod = .POST, as username: String, _ body: [String: String] = [:],
              status: HTTPStatus = .ok, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let headers = try await TestUsers.bearer(app, username)
        var text = ""
        try await app.testing().test(method, path, headers: headers, beforeRequest: { request in
            if method != .GET { try request.content.encode(body, as: .json) }
        }) { response in
            #expect(response.status == status, "\(method) \(path) as \(username): \(response.body.string)", sourceLocation: sourceLocation)
            text = response.body.string
        }
        return text
    }

    func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: Data(text.utf8))
    }

    static let good = ["year": "2017", "department": "锦江区教育局人事科", "person": "张伟", "title": "科长",
                       "officePhone": "028-86112233", "mobile": "13812345678", "email": "jinjiang@scedu.net"]

    func save(as username: String, _ body: [String: String] = Self.good, status: HTTPStatus = .ok) async throws {
        try await call("/api/v1/contacts", as: username, body, status: status)
    }

    func view(as username: String, region: String? = nil, year: Int = 2017, status: HTTPStatus = .ok) async throws -> ContactsDesk.ViewDTO? {
        let text = try await call("/api/v1/contacts?year=\(year)" + (region.map { "&region=\($0)" } ?? ""), method: .GET, as: username, status: status)
        return status == .ok ? try decode(ContactsDesk.ViewDTO.self, text) : nil
    }

    /// Every county of `city` but those named has a contact and has submitted it on `day`.
    func submitOtherCounties(of city: String, except: Set<String>, on day: CivilDate, year: Int = 2017) async throws {
        for county in app.regions.children(of: city) where !except.contains(county.code) {
            let contact = ContactModel()
            contact.year = year
            contact.regionCode = county.code
            contact.set(ContactDetails(department: "\(county.name)教育局", person: "李娜", title: "股长", officePhone: "0813-2123456",
                                       mobile: "13900001111", email: "x@scedu.net"))
            contact.updatedBy = "test"
            contact.updatedAt = Date()
            try await contact.create(on: app.db)
            try await submission(workflow: "contacts", subject: year, region: county.code, level: "county", state: .submitted, on: day)
        }
    }

    func submission(workflow: String, subject: Int, region: String, level: String, state: ApprovalState, on day: CivilDate) async throws {
        let row = SubmissionModel()
        row.workflow = workflow
        row.subjectID = subject
        row.regionCode = region
        row.level = level
        row.storedState = state.rawValue
        row.submittedAt = FixedClock(day).now()
        row.late = false
        row.updatedAt = Date()
        try await row.create(on: app.db)
    }
}

@Suite struct ContactsTests {
    @Test func validationNamesEachFieldInChinese() async throws {
        try await withTestApp { app in
            let api = ContactsAPI(app: app)
            var body = ContactsAPI.good
            body["officePhone"] = "86112233"
            body["mobile"] = "12812345678"
            body["email"] = "jinjiang"
            body["person"] = ""
            let text = try await api.call("/api/v1/contacts", as: "jinjiang", body, status: .unprocessableEntity)
            #expect(text.contains("办公电话格式不正确"))
            #expect(text.contains("手机号码格式不正确"))
            #expect(text.contains("电子邮箱格式不正确"))
            #expect(text.contains("请填写联系人"))
            #expect(try await ContactModel.query(on: app.db).count() == 0)
            // The province has no contact of its own here; a teacher or institution has no page at all.
            try await api.save(as: "sheng", status: .forbidden)
            try await api.call("/api/v1/contacts", method: .GET, as: "jigou", status: .notFound)
        }
    }

    @Test func countyCityProvinceWithSendBackLatenessAndLocking() async throws {
        try await withTestApp { app in
            let clock = FixedClock(CivilDate(year: 2017, month: 3, day: 20)!)
            app.clock = clock
            let api = ContactsAPI(app: app)
            // Nothing filled in: the county cannot submit.
            let refused = try await api.call("/api/v1/contacts/submit", as: "jinjiang", ["year": "2017"], status: .conflict)
            #expect(refused.contains("尚未填写2017年项目联系人信息"))
            try await api.save(as: "jinjiang")
            var mine = try #require(try await api.view(as: "jinjiang"))
            #expect(mine.unit?.contact?.person == "张伟")
            #expect(mine.unit?.actions.maySubmit == true)
            #expect(mine.deadline == "2017-03-31")
            try await api.call("/api/v1/contacts/submit", as: "jinjiang", ["year": "2017"])
            // Submitted: locked.
            try await api.save(as: "jinjiang", status: .conflict)

            // The city sees its counties; sends 锦江区 back with a reason (a reason is required).
            var city = try #require(try await api.view(as: "chengdu"))
            let jinjiang = try #require(city.units.first { $0.code == "510104" })
            #expect(jinjiang.state == "submitted" && jinjiang.actions.maySendBack && !jinjiang.late)
            try await api.call("/api/v1/contacts/send-back", as: "chengdu", ["year": "2017", "region": "510104"], status: .unprocessableEntity)
            try await api.call("/api/v1/contacts/send-back", as: "chengdu", ["year": "2017", "region": "510104", "reason": "手机号码有误"])
            mine = try #require(try await api.view(as: "jinjiang"))
            #expect(mine.unit?.state == "returned")
            #expect(mine.unit?.returnedReason == "手机号码有误")
            #expect(mine.unit?.actions.mayEdit == true)

            // Fixed and submitted again after the deadline: late, but accepted.
            clock.set(FixedClock(CivilDate(year: 2017, month: 4, day: 2)!).now())
            var fixed = ContactsAPI.good
            fixed["mobile"] = "+86 139 0000 2222"
            try await api.save(as: "jinjiang", fixed)
            try await api.call("/api/v1/contacts/submit", as: "jinjiang", ["year": "2017"])
            mine = try #require(try await api.view(as: "jinjiang"))
            #expect(mine.unit?.contact?.mobile == "13900002222")
            #expect(mine.unit?.late == true)

            // The city submits once every county has.
            try await api.save(as: "chengdu", ["year": "2017", "department": "成都市教育局教师工作处", "person": "王芳", "title": "处长",
                                               "officePhone": "(028)86112200", "mobile": "13600001111", "email": "chengdu@scedu.net"])
            let open = try await api.call("/api/v1/contacts/submit", as: "chengdu", ["year": "2017"], status: .conflict)
            #expect(open.contains("青羊区"))
            try await api.submitOtherCounties(of: "510100", except: ["510104"], on: CivilDate(year: 2017, month: 3, day: 30)!)
            city = try #require(try await api.view(as: "chengdu"))
            #expect(city.unit?.actions.maySubmit == true)
            try await api.call("/api/v1/contacts/submit", as: "chengdu", ["year": "2017"])
            // The county cannot be sent back by the city any more; the province approves.
            try await api.call("/api/v1/contacts/send-back", as: "chengdu", ["year": "2017", "region": "510104", "reason": "再改"], status: .conflict)
            let province = try #require(try await api.view(as: "sheng"))
            #expect(province.unit == nil)
            #expect(province.units.count == 21)
            #expect(province.units.first { $0.code == "510100" }?.actions.mayApprove == true)
            try await api.call("/api/v1/contacts/approve", as: "sheng", ["year": "2017", "region": "510100"])
            city = try #require(try await api.view(as: "chengdu"))
            #expect(city.unit?.state == "approved")
            try await api.save(as: "chengdu", status: .conflict)
            // Audit entries for every step.
            let actions = try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "contacts").all().map(\.action)
            #expect(actions.filter { $0 == "submit" }.count == 3)
            #expect(actions.contains("reject") && actions.contains("approve"))
        }
    }

    @Test func scopeIsNotFoundOutside() async throws {
        try await withTestApp { app in
            let api = ContactsAPI(app: app)
            try await api.save(as: "jinjiang")
            try await api.call("/api/v1/contacts/submit", as: "jinjiang", ["year": "2017"])
            _ = try await api.view(as: "chengdu", region: "510300", status: .notFound)
            _ = try await api.view(as: "jinjiang", region: "510105", status: .notFound)
            _ = try await api.view(as: "jinjiang", region: "510100", status: .notFound)
            try await api.call("/api/v1/contacts/send-back", as: "zigong", ["year": "2017", "region": "510104", "reason": "不对"], status: .notFound)
            try await api.call("/api/v1/contacts/missing?year=2017", method: .GET, as: "jinjiang", status: .notFound)
            try await api.call("/contacts/export?year=2017&region=510100", method: .GET, as: "zigong", status: .notFound)
            let page = try await api.call("/contacts?year=2017", method: .GET, as: "chengdu")
            #expect(page.contains("锦江区教育局人事科") && !page.contains("自贡"))
        }
    }

    @Test func missingListAndExportReadBack() async throws {
        try await withTestApp { app in
            let api = ContactsAPI(app: app)
            try await api.save(as: "jinjiang")
            try await api.call("/api/v1/contacts/submit", as: "jinjiang", ["year": "2017"])
            try await api.save(as: "qingyang", ["year": "2017", "department": "青羊区教育局", "person": "欧阳·娜", "title": "主任",
                                                "officePhone": "028-86113344-801", "mobile": "15800001111", "email": "qy@scedu.net"])
            struct Missing: Decodable { let year: Int; let units: [ContactsDesk.MissingDTO] }
            let missing = try api.decode(Missing.self, try await api.call("/api/v1/contacts/missing?year=2017", method: .GET, as: "sheng"))
            let codes = Set(missing.units.map(\.code))
            #expect(!codes.contains("510104"))
            #expect(missing.units.first { $0.code == "510105" }?.status == "draft")
            #expect(missing.units.first { $0.code == "510300" }?.status == "none")
            #expect(codes.count == 21 + 183 - 1)
            let cityList = try api.decode(Missing.self, try await api.call("/api/v1/contacts/missing?year=2017", method: .GET, as: "chengdu"))
            #expect(cityList.units.allSatisfy { $0.city == "成都市" })

            let directory = NSTemporaryDirectory() + "contacts-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let headers = try await TestUsers.bearer(app, "sheng")
            let path = directory + "/contacts.xlsx"
            try await app.testing().test(.GET, "/contacts/export?year=2017", headers: headers) { response in
                #expect(response.status == .ok)
                #expect(response.headers.contentType?.subType.contains("spreadsheetml") == true)
                try Data(buffer: response.body).write(to: URL(fileURLWithPath: path))
            }
            let rows = try convertToCSV(path, directory: directory)
            #expect(rows[0][0] == "2017年项目联系人信息表")
            #expect(rows[2] == ["序号", "市(州)", "县(市、区)", "责任部门", "联系人", "职务", "办公电话", "手机", "电子邮箱"])
            #expect(rows.count >= 3 + 21 + 183)
            let jinjiang = try #require(rows.first { $0.count > 2 && $0[2] == "锦江区" })
            #expect(Array(jinjiang[1...]) == ["成都市", "锦江区", "锦江区教育局人事科", "张伟", "科长", "028-86112233", "13812345678", "jinjiang@scedu.net"])
            let qingyang = try #require(rows.first { $0.count > 2 && $0[2] == "青羊区" })
            #expect(qingyang[4] == "欧阳·娜" && qingyang[6] == "028-86113344-801")
            let zigong = try #require(rows.first { $0.count > 2 && $0[1] == "自贡市" && $0[2] == "（市州本级）" })
            #expect(zigong[3] == "" && zigong[4] == "")

            // A city's own workbook holds the city and its counties only.
            let cityPath = directory + "/chengdu.xlsx"
            try await app.testing().test(.GET, "/contacts/export?year=2017", headers: try await TestUsers.bearer(app, "chengdu")) { response in
                #expect(response.status == .ok)
                try Data(buffer: response.body).write(to: URL(fileURLWithPath: cityPath))
            }
            let cityRows = try convertToCSV(cityPath, directory: directory)
            #expect(cityRows.dropFirst(3).filter { $0.count > 1 && !$0[1].isEmpty }.allSatisfy { $0[1] == "成都市" })
        }
    }

    @Test func teachersAreToldWhomToCall() async throws {
        try await withTestApp(demo: .small) { app in
            let api = ContactsAPI(app: app)
            let teacher = try #require(try await TeacherModel.query(on: app.db).filter(\.$countyCode == "510104").sort(\.$id).first())
            let user = try await TestUsers.createTeacherUser(app, teacher: teacher)
            // No contact anywhere: the county bureau in general.
            struct Mine: Decodable { let contact: String }
            var mine = try api.decode(Mine.self, try await api.call("/api/v1/me/certificates", method: .GET, as: user.username))
            #expect(mine.contact.contains("锦江区"))
            // The city's contact until the county has one.
            try await api.save(as: "chengdu", ["year": "2017", "department": "成都市教育局教师工作处", "person": "王芳", "title": "处长",
                                               "officePhone": "028-86112200", "mobile": "13600001111", "email": "chengdu@scedu.net"])
            mine = try api.decode(Mine.self, try await api.call("/api/v1/me/certificates", method: .GET, as: user.username))
            #expect(mine.contact.contains("成都市教育局教师工作处 王芳，办公电话 028-86112200"))
            try await api.save(as: "jinjiang")
            mine = try api.decode(Mine.self, try await api.call("/api/v1/me/certificates", method: .GET, as: user.username))
            #expect(mine.contact.contains("锦江区教育局人事科 张伟，办公电话 028-86112233"))
            let page = try await api.call("/me", method: .GET, as: user.username)
            #expect(page.contains("锦江区教育局人事科 张伟，办公电话 028-86112233"))
            struct Training: Decodable { let contact: String? }
            let training = try api.decode(Training.self, try await api.call("/api/v1/me/training", method: .GET, as: user.username))
            #expect(training.contact?.contains("张伟") == true)
        }
    }

    @Test func theFormsOnThePagesWork() async throws {
        try await withTestApp { app in
            app.clock = FixedClock(CivilDate(year: 2017, month: 3, day: 10)!)
            func post(_ path: String, as username: String, _ fields: [String: String], status: HTTPStatus = .seeOther) async throws -> String {
                let session = try await TestUsers.session(app, username)
                var text = ""
                try await app.testing().test(.POST, path, headers: session.headers, beforeRequest: {
                    try $0.content.encode(fields.merging(["_csrf": session.csrf]) { a, _ in a }, as: .urlEncodedForm)
                }) { response in
                    #expect(response.status == status, "\(path): \(response.body.string)")
                    text = response.body.string
                }
                return text
            }
            func page(_ path: String, as username: String) async throws -> String {
                let session = try await TestUsers.session(app, username)
                var text = ""
                try await app.testing().test(.GET, path, headers: session.headers) { text = $0.body.string }
                return text
            }
            var fields = ContactsAPI.good
            fields["mobile"] = "1381234567"
            let refused = try await post("/contacts", as: "jinjiang", fields, status: .unprocessableEntity)
            #expect(refused.contains("手机：手机号码格式不正确") && refused.contains("value=\"1381234567\"") && refused.contains("value=\"张伟\""))
            _ = try await post("/contacts", as: "jinjiang", ContactsAPI.good)
            var html = try await page("/contacts?year=2017", as: "jinjiang")
            #expect(html.contains("value=\"028-86112233\"") && html.contains("提交本级联系人信息"))
            _ = try await post("/contacts/submit", as: "jinjiang", ["year": "2017"])
            html = try await page("/contacts?year=2017", as: "jinjiang")
            #expect(html.contains("已提交") && !html.contains("提交本级联系人信息"))
            html = try await page("/contacts?year=2017", as: "chengdu")
            #expect(html.contains("退回原因") && html.contains("锦江区教育局人事科"))
            _ = try await post("/contacts/send-back", as: "chengdu", ["year": "2017", "region": "510104", "reason": "职务写全称"])
            html = try await page("/contacts?year=2017", as: "jinjiang")
            #expect(html.contains("已退回：职务写全称"))
            _ = try await post("/timeliness/remind", as: "sheng", ["task": "contacts", "year": "2017", "region": "510300"])
            _ = try await post("/timeliness/deadline", as: "sheng", ["task": "contacts", "year": "2017", "deadline": "2017-04-15"])
            html = try await page("/timeliness?task=contacts&year=2017", as: "zigong")
            #expect(html.contains("催报通知") && html.contains("2017-04-15"))
        }
    }
}
