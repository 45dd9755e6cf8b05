import Fluent
import Foundation
import PeixunCore
import Testing
import VaporTesting
@testable import PeixunServer

/// Issue 12's findings, each reproduced as it was reported.
@Suite struct HardeningTests {
    @Test func hugePageNumbersAreBoundedNotOverflowed() async throws {
        try await withTestApp(demo: .small) { app in
            let headers = try await TestUsers.bearer(app, "jinjiang")
            let huge = "9223372036854775807"
            try await app.testing().test(.GET, "/api/v1/teachers?page=\(huge)", headers: headers) { response in
                #expect(response.status == .ok)
                let list = try response.content.decode(TeacherListController.ListDTO.self)
                #expect(list.page == Paging.maximumPage && list.teachers.isEmpty && list.total > 0)
            }
            try await app.testing().test(.GET, "/api/v1/teachers?page=-\(huge)", headers: headers) { response in
                let list = try response.content.decode(TeacherListController.ListDTO.self)
                #expect(list.page == 1)
            }
            let session = try await TestUsers.session(app, "jinjiang")
            for path in ["/teachers?page=\(huge)", "/audit?page=\(huge)", "/api/v1/audit?page=\(huge)"] {
                try await app.testing().test(.GET, path, headers: path.hasPrefix("/api") ? headers : session.headers) { response in
                    #expect(response.status == .ok, "\(path)")
                }
            }
            struct School: Decodable { let school_id: Int }
            let school = try #require(try await app.sql.raw("SELECT school_id FROM teachers WHERE county_code = '510104' LIMIT 1").first(decoding: School.self))
            try await app.testing().test(.GET, "/reports/progress/schools/\(school.school_id)/untrained?year=2016&page=\(huge)", headers: session.headers) { response in
                #expect(response.status == .ok)
            }
            #expect(Paging(page: Int.max, size: 5_000).offset == (Paging.maximumPage - 1) * 5_000)
            #expect(Paging(page: 3, size: nil, defaultSize: 100, maximumSize: 5_000).offset == 200)
            #expect(Paging(page: 1, size: Int.max, defaultSize: 100, maximumSize: 5_000).size == 5_000)
            #expect(Paging(page: 1, size: 50).pageCount(total: 0) == 1 && Paging(page: 1, size: 50).pageCount(total: 101) == 3)
        }
    }

    @Test func fortyWrongPasswordsAtOnceGetAtMostFiveTries() async throws {
        try await withTestApp { app in
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        var status = HTTPStatus.ok
                        try await app.testing().test(.POST, "/api/v1/session", beforeRequest: { request in
                            try request.content.encode(["username": "chengdu", "password": "wrong-password-1"])
                        }) { status = $0.status }
                        return status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            var refused = statuses.filter { $0 == .unauthorized }.count
            #expect(refused <= LoginThrottle.limit)
            #expect(refused + statuses.filter { $0 == .tooManyRequests }.count == 40)
            // Racing attempts may block early, never late: one by one, exactly the rest of the five get through.
            for _ in 0..<LoginThrottle.limit + 2 {
                try await app.testing().test(.POST, "/api/v1/session", beforeRequest: { request in
                    try request.content.encode(["username": "chengdu", "password": "wrong-password-2"])
                }) { if $0.status == .unauthorized { refused += 1 } }
            }
            #expect(refused == LoginThrottle.limit)
            // The right password is refused too while the account is blocked.
            try await app.testing().test(.POST, "/api/v1/session", beforeRequest: { request in
                try request.content.encode(["username": "chengdu", "password": TestUsers.password])
            }) { #expect($0.status == .tooManyRequests) }
            let failures = try await LoginAttemptModel.query(on: app.db).filter(\.$succeeded == false).count()
            #expect(failures <= LoginThrottle.limit, "refused attempts are not kept")
        }
    }

    @Test(arguments: [
        ("/%09/evil.example", "/"), ("/\t/evil.example", "/"), ("//evil.example", "/"), ("/\\evil.example", "/"),
        ("https://evil.example", "/"), ("/ /evil.example", "/"), ("/%0d%0a/evil.example", "/"), ("/\u{2028}/evil", "/"),
        ("/users?page=2", "/users?page=2"), ("/teachers", "/teachers"),
    ])
    func afterLoginOnlyPathsOnThisSiteAreFollowed(next: String, location: String) async throws {
        let decoded = next.removingPercentEncoding ?? next
        #expect(LoginController.safeNext(decoded) == location)
    }

    @Test func aSignedInUserIsNotRedirectedOffSite() async throws {
        try await withTestApp { app in
            let session = try await TestUsers.session(app, "chengdu")
            try await app.testing().test(.GET, "/login?next=/%09/evil.example", headers: session.headers) { response in
                #expect(response.headers.first(name: .location) == "/")
            }
        }
    }

    func apiStatus(_ app: Application, _ headers: HTTPHeaders, _ path: String = "/api/v1/me") async throws -> HTTPStatus {
        var status = HTTPStatus.ok
        try await app.testing().test(.GET, path, headers: headers) { status = $0.status }
        return status
    }

    @Test func tokensAndSessionsEndWithThePassword() async throws {
        try await withTestApp { app in
            // Changing one's own password (through the API) ends every token, the one used included.
            let own = try await TestUsers.bearer(app, "chengdu")
            let other = try await TestUsers.bearer(app, "chengdu")
            let browser = try await TestUsers.session(app, "chengdu")
            try await app.testing().test(.POST, "/api/v1/me/password", headers: own, beforeRequest: { request in
                try request.content.encode(["current": TestUsers.password, "password": "NewPassword2017", "confirm": "NewPassword2017"])
            }) { #expect($0.status == .noContent) }
            #expect(try await apiStatus(app, own) == .unauthorized)
            #expect(try await apiStatus(app, other) == .unauthorized)
            try await app.testing().test(.GET, "/users", headers: browser.headers) { #expect($0.status == .seeOther) }

            // A reset by the province ends them too.
            let jinjiang = try await TestUsers.bearer(app, "jinjiang")
            let id = try #require(try await UserModel.query(on: app.db).filter(\.$username == "jinjiang").first()?.id)
            let province = try await TestUsers.bearer(app, "sheng")
            try await app.testing().test(.POST, "/api/v1/users/\(id)/reset-password", headers: province) { #expect($0.status == .ok) }
            #expect(try await apiStatus(app, jinjiang) == .unauthorized)

            // Disabling ends them, and enabling again does not bring them back.
            let qingyang = try await TestUsers.bearer(app, "qingyang")
            let qingyangID = try #require(try await UserModel.query(on: app.db).filter(\.$username == "qingyang").first()?.id)
            try await app.testing().test(.POST, "/api/v1/users/\(qingyangID)/disable", headers: province) { #expect($0.status.code < 300) }
            try await app.testing().test(.POST, "/api/v1/users/\(qingyangID)/enable", headers: province) { #expect($0.status.code < 300) }
            #expect(try await apiStatus(app, qingyang) == .unauthorized)
        }
    }

    @Test func aPasswordSetByAnAdministratorMustBeChangedFirst() async throws {
        try await withTestApp { app in
            let province = try await TestUsers.bearer(app, "sheng")
            let id = try #require(try await UserModel.query(on: app.db).filter(\.$username == "jinjiang").first()?.id)
            var temporary = ""
            try await app.testing().test(.POST, "/api/v1/users/\(id)/reset-password", headers: province) { response in
                struct Reset: Decodable { let password: String }
                temporary = try response.content.decode(Reset.self).password
            }
            func token(_ password: String) async throws -> HTTPHeaders {
                var headers = HTTPHeaders()
                try await app.testing().test(.POST, "/api/v1/session", beforeRequest: { request in
                    try request.content.encode(["username": "jinjiang", "password": password])
                }) { response in
                    #expect(response.status == .ok)
                    headers.bearerAuthorization = .init(token: try response.content.decode(LoginController.TokenResponse.self).token)
                }
                return headers
            }
            let first = try await token(temporary)
            try await app.testing().test(.GET, "/api/v1/teachers", headers: first) { response in
                #expect(response.status == .forbidden)
                #expect(response.body.string.contains("password.change_required"))
            }
            #expect(try await apiStatus(app, first) == .ok, "who am I still answers")
            try await app.testing().test(.POST, "/api/v1/me/password", headers: first, beforeRequest: { request in
                try request.content.encode(["current": temporary, "password": temporary, "confirm": temporary])
            }) { #expect($0.status == .unprocessableEntity, "the temporary password cannot be kept") }
            try await app.testing().test(.POST, "/api/v1/me/password", headers: first, beforeRequest: { request in
                try request.content.encode(["current": temporary, "password": "MyOwnPassword2017", "confirm": "MyOwnPassword2017"])
            }) { #expect($0.status == .noContent) }
            let second = try await token("MyOwnPassword2017")
            #expect(try await apiStatus(app, second, "/api/v1/teachers") == .ok)

            // In a browser, every page leads to the password form until it is changed.
            try await app.testing().test(.POST, "/api/v1/users/\(id)/reset-password", headers: province) { #expect($0.status == .ok) }
            let session = try await TestUsers.session(app, "jinjiang")
            try await app.testing().test(.GET, "/teachers", headers: session.headers) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers.first(name: .location) == "/account/password")
            }
            try await app.testing().test(.GET, "/account/password", headers: session.headers) { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("临时密码"))
            }
        }
    }

    @Test func anIDIsFoundByItsWholeNumberOrItsShownEndingOnlyAndWholeIDSearchesAreAudited() async throws {
        try await withTestApp(demo: .small) { app in
            struct Teacher: Decodable { let resident_id: String }
            let teacher = try #require(try await app.sql.raw("SELECT resident_id FROM teachers WHERE county_code = '510104' LIMIT 1").first(decoding: Teacher.self))
            let headers = try await TestUsers.bearer(app, "jinjiang")
            // Longer endings would reveal the hidden digits one at a time.
            for length in [5, 6, 10, 14, 17] {
                try await app.testing().test(.GET, "/api/v1/teachers?q=\(teacher.resident_id.suffix(length))", headers: headers) { response in
                    #expect(response.status == .badRequest, "\(length) digits")
                    #expect(response.body.string.contains("search.id_form"))
                }
            }
            try await app.testing().test(.GET, "/api/v1/teachers?q=\(teacher.resident_id.suffix(4))", headers: headers) { #expect($0.status == .ok) }
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action == "search_full_id").count() == 0)
            try await app.testing().test(.GET, "/api/v1/teachers?q=\(teacher.resident_id)", headers: headers) { response in
                let list = try response.content.decode(TeacherListController.ListDTO.self)
                #expect(list.total == 1)
            }
            let audit = try await AuditEntryModel.query(on: app.db).filter(\.$action == "search_full_id").all()
            #expect(audit.count == 1 && audit[0].username == "jinjiang" && audit[0].countyCode == "510104")
            #expect(audit.first?.summary.contains(ResidentID(canonical: teacher.resident_id)!.masked) == true)
            #expect(audit.first?.summary.contains(teacher.resident_id) == false)
        }
    }

    struct Upload: Content {
        let _csrf: String
        let file: File
    }

    func uploadFiles(_ app: Application) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: app.uploads.directory.path)) ?? []
    }

    @Test func anonymousRequestsAreRefusedBeforeTheirBodiesAreRead() async throws {
        try await withTestApp { app in
            // An anonymous session (from the login page) may send a login form, not 64 MB. Through a
            // real server, so that the body arrives in pieces as it does from a client.
            let live = try app.testing(method: .running(hostname: "127.0.0.1", port: Int.random(in: 20_000...60_000)))
            var cookie = HTTPHeaders()
            var csrf = ""
            try await live.test(.GET, "/login") { response in
                let value = try #require(response.headers.setCookie?[SessionMiddleware.cookieName])
                cookie.cookie = HTTPCookies(dictionaryLiteral: (SessionMiddleware.cookieName, value))
                let html = response.body.string
                let start = try #require(html.range(of: "name=\"_csrf\" value=\"")).upperBound
                csrf = String(html[start...].prefix { $0 != "\"" })
            }
            let big = String(repeating: "x", count: 200_000)
            try await live.test(.POST, "/login", headers: cookie, beforeRequest: { request in
                try request.content.encode(["_csrf": csrf, "username": "chengdu", "password": big], as: .urlEncodedForm)
            }) { #expect($0.status == .payloadTooLarge) }
            try await live.test(.POST, "/login", headers: cookie, beforeRequest: { request in
                try request.content.encode(["_csrf": csrf, "username": "chengdu", "password": "wrong-password-1"], as: .urlEncodedForm)
            }) { #expect($0.status == .unauthorized, "a login form still fits") }
            try await app.testing().test(.POST, "/teachers/import", headers: cookie, beforeRequest: { request in
                try request.content.encode(Upload(_csrf: "x", file: File(data: ByteBuffer(string: big), filename: "a.csv")), as: .formData)
            }) { #expect($0.status == .forbidden) }
            try await app.testing().test(.POST, "/api/v1/teachers/import", beforeRequest: { request in
                request.body = ByteBuffer(string: big)
            }) { #expect($0.status == .unauthorized) }
            // Signed in, but with no import role: not found, file unread.
            try await app.testing().test(.POST, "/api/v1/teachers/import", headers: try await TestUsers.bearer(app, "pingshen"), beforeRequest: { request in
                request.body = ByteBuffer(string: big)
            }) { #expect($0.status == .notFound) }
            #expect(uploadFiles(app).isEmpty)
        }
    }

    @Test func uploadsPassThroughAPrivateFileThatIsAlwaysRemoved() async throws {
        try await withTestApp(demo: .small) { app in
            let session = try await TestUsers.session(app, "jinjiang")
            let csv = "县(市、区),所在学校,学段,教师姓名,身份证号码\n锦江区,某学校,中小学,新老师,\(ResidentID.completing(body: "51010419950101123").value)\n"
            // A wrong token inside the form: refused once the form is read, and the file is gone.
            try await app.testing().test(.POST, "/teachers/import", headers: session.headers, beforeRequest: { request in
                try request.content.encode(Upload(_csrf: "forged", file: File(data: ByteBuffer(string: csv), filename: "a.csv")), as: .formData)
            }) { #expect($0.status == .forbidden) }
            #expect(uploadFiles(app).isEmpty)
            // A good one is previewed from the file, which is removed afterwards too.
            try await app.testing().test(.POST, "/teachers/import", headers: session.headers, beforeRequest: { request in
                try request.content.encode(Upload(_csrf: session.csrf, file: File(data: ByteBuffer(string: csv), filename: "a.csv")), as: .formData)
            }) { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("共 <strong>1</strong> 行"))
            }
            #expect(uploadFiles(app).isEmpty)
            // A raw API body from a browser session needs the header token.
            try await app.testing().test(.POST, "/api/v1/teachers/import", headers: session.headers, beforeRequest: { request in
                request.body = ByteBuffer(string: csv)
            }) { #expect($0.status == .forbidden) }
            var withHeader = session.headers
            withHeader.add(name: "X-CSRF-Token", value: session.csrf)
            try await app.testing().test(.POST, "/api/v1/teachers/import?dryRun=true&createSchools=true", headers: withHeader, beforeRequest: { request in
                request.body = ByteBuffer(string: csv)
            }) { response in
                #expect(response.status == .ok)
                let report = try response.content.decode(ImportReport.self)
                #expect(report.valid == 1, "\(response.body.string)")
            }
            // Too large: refused while streaming, nothing left.
            let bearer = try await TestUsers.bearer(app, "jinjiang")
            try await app.testing().test(.POST, "/api/v1/teachers/import", headers: bearer, beforeRequest: { request in
                request.body = ByteBuffer(repeating: 0x41, count: Int(ImportController.maxUpload.value) + 1)
            }) { #expect($0.status == .payloadTooLarge) }
            #expect(uploadFiles(app).isEmpty)

            // Files a crashed process left are swept at the next start; a living process's are kept.
            let (mine, handle) = try app.uploads.makeFile()
            try handle.close()
            let orphan = app.uploads.directory.appendingPathComponent("upload-999999999-\(UUID().uuidString)")
            _ = FileManager.default.createFile(atPath: orphan.path, contents: Data("x".utf8))
            app.uploads.sweep(now: app.clock.now())
            #expect(uploadFiles(app) == [mine.lastPathComponent])
            let attributes = try FileManager.default.attributesOfItem(atPath: mine.path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            try FileManager.default.removeItem(at: mine)
        }
    }
}
