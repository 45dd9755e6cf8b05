import Fluent
import Foundation
import PeixunCore
import Testing
import VaporTesting
@testable import PeixunServer

/// 工作台: each office sees its own subtree; the figures agree with Appendix 1 and the plans;
/// every chart is inline SVG with a table beside it.
@Suite struct DashboardTests {
    func dashboard(_ app: Application, _ query: String = "", as username: String, status: HTTPStatus = .ok) async throws -> DashboardService.Dashboard? {
        var result: DashboardService.Dashboard?
        try await app.testing().test(.GET, "/api/v1/dashboard\(query)", headers: try await TestUsers.bearer(app, username)) { response in
            #expect(response.status == status, "\(response.body.string)")
            if status == .ok { result = try response.content.decode(DashboardService.Dashboard.self) }
        }
        return result
    }

    @Test func eachLevelSeesItsChildrenAndTheFiguresAgreeWithAppendix1() async throws {
        try await withTestApp(demo: .small) { app in
            let province = try #require(try await dashboard(app, "?year=2016", as: "sheng"))
            #expect(province.level == "province" && province.completion.count == 21 && province.unitLabel == "市州")
            #expect(province.trend.map(\.year) == [2014, 2015, 2016, 2017])
            #expect(zip(province.trend, province.trend.dropFirst()).allSatisfy { $0.trained <= $1.trained })
            var progress: ProgressDTO?
            try await app.testing().test(.GET, "/api/v1/reports/progress?year=2016", headers: try await TestUsers.bearer(app, "sheng")) { response in
                progress = try response.content.decode(ProgressDTO.self)
            }
            let report = try #require(progress)
            for (row, expected) in zip(province.completion, report.rows) {
                #expect(row.code == expected.code && row.total == expected.total && row.trained == expected.trained)
            }
            #expect(province.trend[2].trained == report.total.trained && province.trend[2].total == report.total.total)

            let city = try #require(try await dashboard(app, as: "chengdu"))
            #expect(city.year == 2017 && city.level == "city" && city.completion.map(\.code) == app.regions.counties(in: "510100").map(\.code))
            #expect(city.plan.count == city.completion.count && city.plan.allSatisfy { $0.planned == nil })
            let county = try #require(try await dashboard(app, as: "jinjiang"))
            #expect(county.level == "county" && county.unitLabel == "学校" && county.plan.map(\.code) == ["510104"])
            // Another region of one's own subtree, yes; outside it, not found.
            #expect(try await dashboard(app, "?region=510104", as: "chengdu")?.region.code == "510104")
            _ = try await dashboard(app, "?region=510300", as: "chengdu", status: .notFound)
            _ = try await dashboard(app, "?region=510105", as: "jinjiang", status: .notFound)
            _ = try await dashboard(app, as: "jigou", status: .notFound)
            _ = try await dashboard(app, "?year=1999", as: "sheng", status: .unprocessableEntity)
        }
    }

    @Test func planVersusTrainedAndOverdueTasks() async throws {
        try await withTestApp(demo: .small) { app in
            try await PlanTests().put(app, "510104", as: "jinjiang", ["provincialDemand": 12, "localPlan": 48])
            app.clock = FixedClock(CivilDate(year: 2017, month: 4, day: 2)!)
            let city = try #require(try await dashboard(app, "?year=2017", as: "chengdu"))
            let jinjiang = try #require(city.plan.first { $0.code == "510104" })
            #expect(jinjiang.planned == 60 && city.plan.filter { $0.planned != nil }.count == 1)
            let completion = try #require(city.completion.first { $0.code == "510104" })
            #expect(jinjiang.gap >= 0 && jinjiang.trained >= 0 && completion.total > 0)
            let province = try #require(try await dashboard(app, "?year=2017", as: "sheng"))
            #expect(province.plan.first { $0.code == "510100" }?.planned == 60)
            // Past 31 March nobody has submitted the plan or contacts: every city is overdue for both.
            #expect(Set(province.overdue.filter { $0.task == "plan" }.map(\.code)).count == 21)
            #expect(city.overdue.contains { $0.code == "510104" && $0.task == "contacts" })
        }
    }

    @Test func thePageDrawsEachChartAsSVGWithATable() async throws {
        try await withTestApp(demo: .small) { app in
            try await app.testing().test(.GET, "/dashboard?year=2016", headers: try await TestUsers.session(app, "sheng").headers) { response in
                let body = response.body.string
                #expect(response.status == .ok)
                #expect(body.components(separatedBy: "<svg class=\"chart\" role=\"img\"").count - 1 == 2, "completion and trend; no plans yet")
                #expect(body.contains("<title id=\"chart-") && body.contains("<desc id=\"chart-"))
                #expect(body.contains("2016年各市州培训完成率") && body.contains("<caption>各市州培训完成率"))
                #expect(body.contains("阿坝藏族羌族自治州") && body.contains("/dashboard?year=2016&amp;region=510100") || body.contains("/dashboard?year=2016&region=510100"))
                #expect(body.contains("2016年尚无已填报的培训计划"))
                #expect(body.contains("href=\"/dashboard\">工作台</a>"), "the menu links the dashboard")
                #expect(!body.contains("<script>alert"))
            }
            try await app.testing().test(.GET, "/dashboard", headers: try await TestUsers.session(app, "jigou").headers) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
