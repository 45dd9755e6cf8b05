import Fluent
import Foundation
import PeixunCore
import Testing
import VaporTesting
@testable import PeixunServer

@Suite struct LoginTests {
    /// The CSRF token and cookie that GET /login hands out.
    func loginForm(_ app: Application) async throws -> (cookie: String, csrf: String) {
        var result: (String, String)?
        try await app.testing().test(.GET, "/login") { response in
            #expect(response.status == .ok)
            let cookie = response.headers.setCookie?[SessionMiddleware.cookieName]
            #expect(cookie?.isHTTPOnly == true)
            #expect(cookie?.sameSite == .lax)
            let html = response.body.string
            let marker = "name=\"_csrf\" value=\""
            let start = html.range(of: marker)!.upperBound
            let csrf = String(html[start...].prefix { $0 != "\"" })
            result = (cookie!.string, csrf)
        }
        return result!
    }

    func postLogin(_ app: Application, cookie: String, csrf: String?, username: String, password: String) async throws -> TestingHTTPResponse {
        var captured: TestingHTTPResponse?
        var headers = HTTPHeaders()
        headers.cookie = HTTPCookies(dictionaryLiteral: (SessionMiddleware.cookieName, .init(string: cookie)))
        try await app.testing().test(.POST, "/login", headers: headers, beforeRequest: { request in
            var form = ["username": username, "password": password, "next": "/users"]
            if let csrf { form["_csrf"] = csrf }
            try request.content.encode(form, as: .urlEncodedForm)
        }) { captured = $0 }
        return captured!
    }

    @Test func loginRotatesTheSessionAndAuditsIt() async throws {
        try await withTestApp { app in
            let (anonymous, csrf) = try await loginForm(app)
            let response = try await postLogin(app, cookie: anonymous, csrf: csrf, username: "chengdu", password: TestUsers.password)
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/users")
            let fresh = try #require(response.headers.setCookie?[SessionMiddleware.cookieName]?.string)
            #expect(fresh != anonymous)
            var headers = HTTPHeaders()
            headers.cookie = HTTPCookies(dictionaryLiteral: (SessionMiddleware.cookieName, .init(string: fresh)))
            try await app.testing().test(.GET, "/users", headers: headers) { page in
                #expect(page.status == .ok)
                #expect(page.body.string.contains("chengdu（测试）"))
            }
            // The pre-login session is gone.
            var old = HTTPHeaders()
            old.cookie = HTTPCookies(dictionaryLiteral: (SessionMiddleware.cookieName, .init(string: anonymous)))
            try await app.testing().test(.GET, "/users", headers: old) { #expect($0.status == .seeOther) }
            let audit = try await AuditEntryModel.query(on: app.db).filter(\.$action == "login").all()
            #expect(audit.count == 1 && audit[0].username == "chengdu")
        }
    }

    @Test func loginWithoutTheFormsCSRFTokenIsRefused() async throws {
        try await withTestApp { app in
            let (cookie, _) = try await loginForm(app)
            let response = try await postLogin(app, cookie: cookie, csrf: nil, username: "chengdu", password: TestUsers.password)
            #expect(response.status == .forbidden)
            #expect(response.body.string.contains("请刷新页面"))
            #expect(try await AuditEntryModel.query(on: app.db).count() == 0)
            #expect(try await SessionModel.query(on: app.db).filter(\.$userID != nil).count() == 0)
        }
    }

    @Test func fiveFailuresBlockTheAccountForFifteenMinutes() async throws {
        try await withTestApp { app in
            let (cookie, csrf) = try await loginForm(app)
            for _ in 0..<5 {
                let response = try await postLogin(app, cookie: cookie, csrf: csrf, username: "jinjiang", password: "wrong-password-1")
                #expect(response.status == .unauthorized)
                #expect(response.body.string.contains("用户名或密码错误"))
            }
            let blocked = try await postLogin(app, cookie: cookie, csrf: csrf, username: "jinjiang", password: TestUsers.password)
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.body.string.contains("15分钟后再试"))
            // The API is throttled by the same rule.
            try await app.testing().test(.POST, "/api/v1/session", beforeRequest: { request in
                try request.content.encode(["username": "jinjiang", "password": TestUsers.password])
            }) { response in
                #expect(response.status == .tooManyRequests)
            }
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action == "login_failure").count() == 5)
            // Fifteen minutes later the account may try again.
            try await LoginAttemptModel.query(on: app.db).set(\.$attemptedAt, to: Date().addingTimeInterval(-16 * 60)).update()
            let later = try await postLogin(app, cookie: cookie, csrf: csrf, username: "jinjiang", password: TestUsers.password)
            #expect(later.status == .seeOther)
        }
    }

    @Test func idleAndOldSessionsEnd() async throws {
        try await withTestApp { app in
            let idle = try await TestUsers.session(app, "sheng")
            try await SessionModel.query(on: app.db).set(\.$lastSeenAt, to: Date().addingTimeInterval(-31 * 60)).update()
            try await app.testing().test(.GET, "/users", headers: idle.headers) { #expect($0.status == .seeOther) }
            #expect(try await SessionModel.query(on: app.db).count() == 0)

            let old = try await TestUsers.session(app, "sheng")
            try await SessionModel.query(on: app.db).set(\.$createdAt, to: Date().addingTimeInterval(-13 * 3600)).update()
            try await app.testing().test(.GET, "/users", headers: old.headers) { #expect($0.status == .seeOther) }

            let fresh = try await TestUsers.session(app, "sheng")
            try await app.testing().test(.GET, "/users", headers: fresh.headers) { #expect($0.status == .ok) }

            // A login sweeps expired sessions away (nothing else would).
            try await SessionModel.query(on: app.db).set(\.$lastSeenAt, to: Date().addingTimeInterval(-2 * 3600)).update()
            let (cookie, csrf) = try await loginForm(app)
            #expect(try await postLogin(app, cookie: cookie, csrf: csrf, username: "sheng", password: TestUsers.password).status == .seeOther)
            #expect(try await SessionModel.query(on: app.db).count() == 1)
        }
    }

    @Test func apiTokensWorkUntilRevoked() async throws {
        try await withTestApp { app in
            var token = ""
            try await app.testing().test(.POST, "/api/v1/session", beforeRequest: { request in
                try request.content.encode(["username": "chengdu", "password": TestUsers.password])
            }) { response in
                #expect(response.status == .ok)
                struct Body: Decodable { let token: String; let expiresAt: Date }
                let body = try response.content.decode(Body.self)
                #expect(body.expiresAt > Date())
                token = body.token
            }
            let headers: HTTPHeaders = ["Authorization": "Bearer \(token)"]
            try await app.testing().test(.GET, "/api/v1/me", headers: headers) { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("\"role\":\"city\""))
            }
            // Stored hashed, never in clear.
            #expect(try await ApiTokenModel.query(on: app.db).filter(\.$tokenHash == token).count() == 0)
            try await app.testing().test(.DELETE, "/api/v1/session", headers: headers) { #expect($0.status == .noContent) }
            try await app.testing().test(.GET, "/api/v1/me", headers: headers) { response in
                #expect(response.status == .unauthorized)
                #expect(response.body.string.contains("token.invalid"))
            }
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action ~~ ["token_issue", "token_revoke"]).count() == 2)
        }
    }

    @Test func passwordChangeChecksTheOldPasswordAndEndsOtherSessions() async throws {
        try await withTestApp { app in
            let here = try await TestUsers.session(app, "zigong")
            let elsewhere = try await TestUsers.session(app, "zigong")
            func change(current: String, new: String) async throws -> TestingHTTPResponse {
                var captured: TestingHTTPResponse?
                try await app.testing().test(.POST, "/account/password", headers: here.headers, beforeRequest: { request in
                    try request.content.encode(["_csrf": here.csrf, "current": current, "password": new, "confirm": new], as: .urlEncodedForm)
                }) { captured = $0 }
                return captured!
            }
            let wrong = try await change(current: "not-my-password1", new: "NewPassword2026")
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.body.string.contains("当前密码不正确"))
            let weak = try await change(current: TestUsers.password, new: "short")
            #expect(weak.body.string.contains("密码至少需要10个字符"))
            let good = try await change(current: TestUsers.password, new: "NewPassword2026")
            #expect(good.status == .ok)
            #expect(good.body.string.contains("密码已修改"))
            try await app.testing().test(.GET, "/users", headers: elsewhere.headers) { #expect($0.status == .seeOther) }
            try await app.testing().test(.GET, "/account/password", headers: here.headers) { #expect($0.status == .ok) }
            let user = try await UserModel.query(on: app.db).filter(\.$username == "zigong").first()!
            #expect(try Bcrypt.verify("NewPassword2026", created: user.passwordHash))
            #expect(user.passwordHash.hasPrefix("$2b$12$") || user.passwordHash.hasPrefix("$2a$12$") || user.passwordHash.hasPrefix("$2y$12$"))
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action == "password_change").count() == 1)
        }
    }
}
