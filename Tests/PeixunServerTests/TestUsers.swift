import Fluent
import Foundation
import PeixunCore
import Vapor
import VaporTesting
@testable import PeixunServer

/// Users for tests, one per role and region that the scope tests need. The bcrypt hash is
/// computed once; tokens and sessions are written straight into the database so that only
/// the tests about logging in pay for bcrypt.
enum TestUsers {
    static let password = "Peixun2017test"
    static let hash: String = try! Bcrypt.hash(password, cost: 12)

    static let accounts: [(username: String, role: Role, region: String?)] = [
        ("sheng", .province, "510000"),
        ("chengdu", .city, "510100"),
        ("zigong", .city, "510300"),
        ("jinjiang", .county, "510104"),
        ("qingyang", .county, "510105"),
        ("jigou", .institution, nil),
        ("pingshen", .reviewer, nil),
    ]

    @discardableResult
    static func create(_ app: Application) async throws -> [String: Int] {
        var ids: [String: Int] = [:]
        for account in accounts {
            let user = UserModel()
            user.username = account.username
            user.displayName = account.username + "（测试）"
            user.passwordHash = hash
            user.role = account.role.rawValue
            user.regionCode = account.region
            user.disabled = false
            try await user.create(on: app.db)
            ids[account.username] = user.id!
        }
        return ids
    }

    /// A county account named `c` + the county's code (a city's every county can then act).
    @discardableResult
    static func createCountyUser(_ app: Application, county: String) async throws -> UserModel {
        let user = UserModel()
        user.username = "c" + county
        user.displayName = county
        user.passwordHash = hash
        user.role = Role.county.rawValue
        user.regionCode = county
        user.disabled = false
        try await user.create(on: app.db)
        return user
    }

    static func createTeacherUser(_ app: Application, teacher: TeacherModel) async throws -> UserModel {
        let user = UserModel()
        user.username = teacher.residentID
        user.displayName = teacher.name
        user.passwordHash = hash
        user.role = Role.teacher.rawValue
        user.regionCode = teacher.countyCode
        user.teacherID = teacher.id
        user.disabled = false
        try await user.create(on: app.db)
        return user
    }

    /// `Authorization: Bearer` headers for a user, without going through bcrypt.
    static func bearer(_ app: Application, _ username: String) async throws -> HTTPHeaders {
        let user = try await UserModel.query(on: app.db).filter(\.$username == username).first()!
        let token = ApiTokenModel.generateToken()
        let stored = ApiTokenModel()
        stored.userID = user.id!
        stored.tokenHash = ApiTokenModel.hash(token)
        stored.expiresAt = Date().addingTimeInterval(3600)
        try await stored.create(on: app.db)
        var headers = HTTPHeaders()
        headers.bearerAuthorization = .init(token: token)
        return headers
    }

    struct BrowserSession {
        let headers: HTTPHeaders
        let csrf: String
    }

    /// A logged-in browser session: the cookie header and its CSRF token.
    static func session(_ app: Application, _ username: String) async throws -> BrowserSession {
        let user = try await UserModel.query(on: app.db).filter(\.$username == username).first()!
        let token = ApiTokenModel.generateToken()
        let session = SessionModel()
        session.tokenHash = ApiTokenModel.hash(token)
        session.userID = user.id
        session.csrfToken = ApiTokenModel.generateToken()
        session.createdAt = Date()
        session.lastSeenAt = Date()
        session.address = "127.0.0.1"
        try await session.create(on: app.db)
        var headers = HTTPHeaders()
        headers.cookie = HTTPCookies(dictionaryLiteral: (SessionMiddleware.cookieName, HTTPCookies.Value(string: token)))
        return BrowserSession(headers: headers, csrf: session.csrfToken)
    }
}
