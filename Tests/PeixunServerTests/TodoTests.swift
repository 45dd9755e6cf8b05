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
}
