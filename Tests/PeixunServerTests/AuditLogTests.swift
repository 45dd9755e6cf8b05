import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

@Suite struct AuditLogTests {
    @Test func theDatabaseRefusesToChangeOrDeleteEntries() async throws {
        try await withTestApp { app in
            try await AuditLog.record(on: app.db, actor: .commandLine, action: .create, objectType: "user", objectID: "1", summary: "测试")
            await #expect(throws: (any Error).self) {
                try await app.sql.raw("UPDATE audit_log SET summary = 'changed'").run()
            }
            await #expect(throws: (any Error).self) {
                try await app.sql.raw("DELETE FROM audit_log").run()
            }
            let entries = try await AuditEntryModel.query(on: app.db).all()
            #expect(entries.count == 1 && entries[0].summary == "测试")
        }
    }

    @Test func anEntryIsWrittenWithItsChangeOrNotAtAll() async throws {
        try await withTestApp { app in
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await app.db.transaction { db in
                    let user = UserModel()
                    user.username = "rolledback"
                    user.displayName = "回滚"
                    user.passwordHash = TestUsers.hash
                    user.role = "reviewer"
                    user.disabled = false
                    try await user.create(on: db)
                    try await AuditLog.record(on: db, actor: .commandLine, action: .create, objectType: "user", objectID: String(user.id!), summary: "新建")
                    throw Boom()
                }
            }
            let users = try await UserModel.query(on: app.db).filter(\.$username == "rolledback").count()
            let entries = try await AuditEntryModel.query(on: app.db).count()
            #expect(users == 0 && entries == 0)
        }
    }

    @Test func citiesAndCountiesSeeTheirSubtreeOnly() async throws {
        try await withTestApp { app in
            for (county, city) in [("510104", "510100"), ("510105", "510100"), ("510302", "510300")] {
                try await AuditLog.record(on: app.db, actor: .commandLine, action: .update, objectType: "teacher", objectID: county,
                                          countyCode: county, cityCode: city, summary: "变更 \(county)")
            }
            func visible(_ username: String) async throws -> [String] {
                var summaries: [String] = []
                try await app.testing().test(.GET, "/api/v1/audit", headers: try await TestUsers.bearer(app, username)) { response in
                    #expect(response.status == .ok)
                    summaries = try response.content.decode(AuditController.ListDTO.self).entries.map(\.summary)
                }
                return summaries.filter { $0.hasPrefix("变更") }
            }
            #expect(Set(try await visible("sheng")) == ["变更 510104", "变更 510105", "变更 510302"])
            #expect(Set(try await visible("chengdu")) == ["变更 510104", "变更 510105"])
            #expect(try await visible("jinjiang") == ["变更 510104"])
            try await app.testing().test(.GET, "/api/v1/audit", headers: try await TestUsers.bearer(app, "pingshen")) { #expect($0.status == .notFound) }
            let session = try await TestUsers.session(app, "chengdu")
            try await app.testing().test(.GET, "/audit?action=update", headers: session.headers) { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("变更 510105"))
                #expect(!response.body.string.contains("变更 510302"))
            }
            try await app.testing().test(.GET, "/audit?from=2017-13-01", headers: session.headers) { response in
                #expect(response.status == .badRequest)
                #expect(response.body.string.contains("起始日期格式"))
            }
        }
    }
}

@Suite struct IDMaskingTests {
    @Test func masksEveryValidIDInTextAndLeavesOtherNumbersAlone() {
        #expect(IDMasking.maskIDs(in: "新建参训教师账户 11010519491231002X") == "新建参训教师账户 110105********002X")
        #expect(IDMasking.maskIDs(in: "{\"username\":{\"after\":\"11010519491231002X\"}}") == "{\"username\":{\"after\":\"110105********002X\"}}")
        #expect(IDMasking.maskIDs(in: "电话 13800000000，编号 1234567890123456789") == "电话 13800000000，编号 1234567890123456789")
        #expect(IDMasking.maskIDs(in: "jinjiang") == "jinjiang")
    }
}

@Suite struct CommandLineAccountsTests {
    @Test func theCommandLineCreatesAccountsWithTheSameChecksAndAuditsThem() async throws {
        try await withTestApp(users: false) { app in
            let admin = AccountsAdmin(app: app)
            let created = try await admin.create(role: .city, username: "chengdu", displayName: "成都市教育局", regionCode: "510100", password: nil)
            #expect(created.generatedPassword?.count == 12)
            #expect(try Bcrypt.verify(created.generatedPassword!, created: created.user.passwordHash))
            await #expect(throws: AppError.self) {
                _ = try await admin.create(role: .city, username: "x y", displayName: "坏", regionCode: "510100", password: nil)
            }
            await #expect(throws: AppError.self) {
                _ = try await admin.create(role: .county, username: "jinjiang", displayName: "锦江", regionCode: "510100", password: nil)
            }
            await #expect(throws: AppError.self) {
                _ = try await admin.create(role: .county, username: "jinjiang", displayName: "锦江", regionCode: "510104", password: "short")
            }
            let entries = try await AuditEntryModel.query(on: app.db).all()
            #expect(entries.count == 1 && entries[0].username == "（命令行）" && entries[0].cityCode == "510100")
        }
    }
}
