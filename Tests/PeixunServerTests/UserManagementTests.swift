import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

@Suite struct UserManagementTests {
    func post(_ app: Application, _ path: String, as session: TestUsers.BrowserSession, _ form: [String: String]) async throws -> TestingHTTPResponse {
        var captured: TestingHTTPResponse?
        var body = form
        body["_csrf"] = session.csrf
        try await app.testing().test(.POST, path, headers: session.headers, beforeRequest: { request in
            try request.content.encode(body, as: .urlEncodedForm)
        }) { captured = $0 }
        return captured!
    }

    @Test func aCityCreatesCountyUsersOnlyInItsOwnCounties() async throws {
        try await withTestApp { app in
            let chengdu = try await TestUsers.session(app, "chengdu")
            let created = try await post(app, "/users", as: chengdu, ["role": "county", "username": "shuangliu", "displayName": "双流区教育局", "regionCode": "510116"])
            #expect(created.status == .created)
            #expect(created.body.string.contains("只显示这一次"))
            let user = try #require(try await UserModel.query(on: app.db).filter(\.$username == "shuangliu").first())
            #expect(user.regionCode == "510116" && user.role == "county" && user.createdBy != nil)
            let entry = try #require(try await AuditEntryModel.query(on: app.db).filter(\.$action == "create").first())
            #expect(entry.username == "chengdu" && entry.countyCode == "510116" && entry.cityCode == "510100")
            #expect(entry.changes.contains("\"username\":{\"after\":\"shuangliu\"}"))

            for (form, message) in [
                (["role": "county", "username": "gongjing", "displayName": "贡井区教育局", "regionCode": "510303"], "不在您的管辖范围内"),
                (["role": "city", "username": "chengdu2", "displayName": "成都", "regionCode": "510100"], "无权创建"),
                (["role": "province", "username": "sheng2", "displayName": "省", "regionCode": "510000"], "无权创建"),
                (["role": "county", "username": "shuangliu", "displayName": "重复", "regionCode": "510116"], "已被使用"),
                (["role": "county", "username": "x y", "displayName": "坏名字", "regionCode": "510116"], "用户名须为"),
            ] {
                let auditBefore = try await AuditEntryModel.query(on: app.db).count()
                let refused = try await post(app, "/users", as: chengdu, form)
                #expect(refused.status.code >= 400, "\(form)")
                #expect(refused.body.string.contains(message), "\(form)")
                // A refused change leaves neither data nor an audit row.
                #expect(try await AuditEntryModel.query(on: app.db).count() == auditBefore)
                #expect(try await UserModel.query(on: app.db).filter(\.$username == form["username"]!).count() <= 1)
            }
        }
    }

    @Test func disablingEndsSessionsAndBlocksLoginOnlyWithinReach() async throws {
        try await withTestApp { app in
            let ids = try await UserModel.query(on: app.db).all().reduce(into: [String: Int]()) { $0[$1.username] = $1.id! }
            let victim = try await TestUsers.session(app, "jinjiang")
            let chengdu = try await TestUsers.session(app, "chengdu")
            let disabled = try await post(app, "/users/\(ids["jinjiang"]!)/disable", as: chengdu, [:])
            #expect(disabled.status == .ok)
            #expect(disabled.body.string.contains("已停用账户 jinjiang"))
            try await app.testing().test(.GET, "/account/password", headers: victim.headers) { #expect($0.status == .seeOther) }
            // Another city's county is out of reach: 404, as if it did not exist.
            let other = try await post(app, "/users/\(ids["zigong"]!)/disable", as: chengdu, [:])
            #expect(other.status == .notFound)
            let county = try await TestUsers.session(app, "qingyang")
            try await app.testing().test(.GET, "/users", headers: county.headers) { #expect($0.status == .notFound) }
            let reset = try await post(app, "/users/\(ids["qingyang"]!)/reset-password", as: chengdu, [:])
            #expect(reset.body.string.contains("已重置 qingyang 的密码"))
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action ~~ ["disable", "password_reset"]).count() == 2)
        }
    }

    @Test func theAPIListsAndCreatesWithTheSameRules() async throws {
        try await withTestApp { app in
            let headers = try await TestUsers.bearer(app, "sheng")
            try await app.testing().test(.POST, "/api/v1/users", headers: headers, beforeRequest: { request in
                try request.content.encode(["role": "reviewer", "username": "zhicheng", "displayName": "省职称办"])
            }) { response in
                #expect(response.status == .created)
                #expect(response.body.string.contains("\"password\":\""))
            }
            try await app.testing().test(.GET, "/api/v1/users", headers: headers) { response in
                let rows = try response.content.decode([UsersController.UserRow].self)
                #expect(rows.contains { $0.username == "zhicheng" && $0.role == "reviewer" })
                #expect(!rows.contains { $0.username == "sheng" })
            }
            let county = try await TestUsers.bearer(app, "jinjiang")
            try await app.testing().test(.GET, "/api/v1/users", headers: county) { #expect($0.status == .notFound) }
        }
    }

    @Test func teachersActivateWithNameIDAndTheirMobileOnRecord() async throws {
        try await withTestApp(demo: .small) { app in
            let teacher = try await TeacherModel.query(on: app.db).filter(\.$countyCode == "510104").sort(\.$id).first()!
            func activate(name: String, id: String, mobile: String) async throws -> TestingHTTPResponse {
                var cookie = "", csrf = ""
                try await app.testing().test(.GET, "/activate") { response in
                    cookie = response.headers.setCookie![SessionMiddleware.cookieName]!.string
                    let html = response.body.string
                    csrf = String(html[html.range(of: "name=\"_csrf\" value=\"")!.upperBound...].prefix { $0 != "\"" })
                }
                var captured: TestingHTTPResponse?
                try await app.testing().test(.POST, "/activate", headers: ["Cookie": "\(SessionMiddleware.cookieName)=\(cookie)"], beforeRequest: { request in
                    try request.content.encode(["_csrf": csrf, "name": name, "residentID": id, "mobile": mobile,
                                                "password": "MyPassword2017", "confirm": "MyPassword2017"], as: .urlEncodedForm)
                }) { captured = $0 }
                return captured!
            }
            let wrongMobile = try await activate(name: teacher.name, id: teacher.residentID, mobile: "13800000000")
            #expect(wrongMobile.status == .unprocessableEntity)
            #expect(wrongMobile.body.string.contains("不匹配"))
            let lowerX = teacher.residentID.lowercased()
            let done = try await activate(name: teacher.name, id: lowerX, mobile: teacher.mobile!)
            #expect(done.status == .seeOther)
            let user = try #require(try await UserModel.query(on: app.db).filter(\.$teacherID == teacher.id).first())
            #expect(user.username == teacher.residentID && user.role == "teacher")
            let again = try await activate(name: teacher.name, id: teacher.residentID, mobile: teacher.mobile!)
            #expect(again.status == .conflict)
            #expect(again.body.string.contains("已激活"))

            // The county resets the teacher's password; a neighbouring county cannot.
            let qingyang = try await TestUsers.session(app, "qingyang")
            var captured: TestingHTTPResponse?
            try await app.testing().test(.POST, "/teachers/\(teacher.id!)/reset-password", headers: qingyang.headers, beforeRequest: { request in
                try request.content.encode(["_csrf": qingyang.csrf], as: .urlEncodedForm)
            }) { captured = $0 }
            #expect(captured?.status == .notFound)
            let jinjiang = try await TestUsers.session(app, "jinjiang")
            try await app.testing().test(.POST, "/teachers/\(teacher.id!)/reset-password", headers: jinjiang.headers, beforeRequest: { request in
                try request.content.encode(["_csrf": jinjiang.csrf], as: .urlEncodedForm)
            }) { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("只显示这一次"))
                #expect(!response.body.string.contains(teacher.residentID), "the full ID is masked")
            }
            let teacherAudit = try await AuditEntryModel.query(on: app.db).filter(\.$countyCode == "510104").all().map(\.action)
            #expect(Set(teacherAudit) == ["activate", "password_reset"])
        }
    }
}

@Suite struct MyTrainingTests {
    @Test func aTeacherSeesOnlyItsOwnRecord() async throws {
        try await withTestApp(demo: .small) { app in
            let teacher = try await TeacherModel.query(on: app.db).filter(\.$firstPassedYear != nil).sort(\.$id).first()!
            let other = try await TeacherModel.query(on: app.db).filter(\.$id != teacher.id!).filter(\.$countyCode == teacher.countyCode).first()!
            _ = try await TestUsers.createTeacherUser(app, teacher: teacher)
            let session = try await TestUsers.session(app, teacher.residentID)
            try await app.testing().test(.GET, "/", headers: session.headers) { #expect($0.headers.first(name: .location) == "/me") }
            try await app.testing().test(.GET, "/me", headers: session.headers) { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains(teacher.name))
                #expect(response.body.string.contains("已参加信息技术应用能力提升培训并合格"))
                #expect(!response.body.string.contains(teacher.residentID))
                #expect(!response.body.string.contains(other.residentID.prefix(14)))
            }
            try await app.testing().test(.GET, "/reports/progress?year=2016", headers: session.headers) { #expect($0.status == .notFound) }
            try await app.testing().test(.GET, "/api/v1/me/training", headers: try await TestUsers.bearer(app, "sheng")) { #expect($0.status == .notFound) }
        }
    }
}

@Suite struct TeacherDetailTests {
    @Test func theFullIDIsShownOnlyOnTheDetailPageAndEveryViewIsAudited() async throws {
        try await withTestApp(demo: .small) { app in
            let teacher = try await TeacherModel.query(on: app.db).filter(\.$countyCode == "510104").sort(\.$id).first()!
            let session = try await TestUsers.session(app, "jinjiang")
            try await app.testing().test(.GET, "/teachers/\(teacher.id!)", headers: session.headers) { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains(teacher.residentID))
                #expect(response.body.string.contains(teacher.name))
            }
            try await app.testing().test(.GET, "/api/v1/teachers/\(teacher.id!)", headers: try await TestUsers.bearer(app, "chengdu")) { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains(teacher.residentID))
            }
            let views = try await AuditEntryModel.query(on: app.db).filter(\.$action == "view_full_id").all()
            #expect(views.map(\.username).sorted() == ["chengdu", "jinjiang"])
            #expect(views.allSatisfy { $0.objectID == String(teacher.id!) && $0.countyCode == "510104" })
            // Neighbours, reviewers and teachers get nothing, and nothing is audited for them.
            for username in ["qingyang", "zigong", "pingshen"] {
                try await app.testing().test(.GET, "/teachers/\(teacher.id!)", headers: try await TestUsers.session(app, username).headers) { response in
                    #expect(response.status == .notFound)
                    #expect(!response.body.string.contains(teacher.residentID))
                }
            }
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action == "view_full_id").count() == 2)
        }
    }
}
