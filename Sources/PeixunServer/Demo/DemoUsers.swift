import Fluent
import Foundation
import PeixunCore
import Vapor

/// One login per role for trying the system: a city (成都), a county in it (锦江区), a
/// teacher in that county, an institution and a reviewer. Created once; never in production
/// data, since `peixun demo` only runs on an empty database.
enum DemoUsers {
    static let password = "Peixun2017demo"

    struct Login: Sendable {
        let username: String
        let role: Role
        let description: String
    }

    static func ensure(app: Application) async throws -> [Login] {
        var logins: [Login] = []
        let admin = AccountsAdmin(app: app)
        var accounts: [(String, Role, String?, String, String)] = [
            ("sheng", .province, "510000", "四川省执行办", "省执行办，全省"),
            ("chengdu", .city, "510100", "成都市教育局", "成都市教育局"),
            ("jinjiang", .county, "510104", "锦江区教育局", "成都市锦江区教育局"),
            ("jigou", .institution, nil, "四川师范大学继续教育学院", "培训机构"),
            ("pingshen", .reviewer, nil, "成都市职称评审办公室", "职称评审"),
        ]
        // Above several provinces (`peixun demo --scale N`): an account on 全国, which sees them all.
        if let root = app.regions.nationalRoot {
            accounts.insert(("quanguo", .province, root.code, "全国执行办", "全国执行办，\(app.regions.children(of: root.code).count) 个省"), at: 0)
        }
        for (username, role, region, name, description) in accounts {
            if try await UserModel.query(on: app.db).filter(\.$username == username).first() == nil {
                _ = try await admin.create(role: role, username: username, displayName: name, regionCode: region, password: password)
            }
            logins.append(Login(username: username, role: role, description: description))
        }
        if let teacher = try await TeacherModel.query(on: app.db).filter(\.$countyCode == "510104").sort(\.$id).first() {
            if try await UserModel.query(on: app.db).filter(\.$teacherID == teacher.id).first() == nil {
                _ = try await admin.create(role: .teacher, username: teacher.residentID, displayName: teacher.name,
                                           regionCode: teacher.countyCode, password: password, teacherID: teacher.id)
            }
            logins.append(Login(username: teacher.residentID, role: .teacher, description: "锦江区教师 \(teacher.name)"))
        }
        return logins
    }

    static func describe(_ logins: [Login]) -> String {
        var lines = ["演示账户（密码均为 \(password)）："]
        for login in logins {
            lines.append("  \(login.username.padding(toLength: 20, withPad: " ", startingAt: 0)) \(login.role.label)　\(login.description)")
        }
        return lines.joined(separator: "\n")
    }
}
