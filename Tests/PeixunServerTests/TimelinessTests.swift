import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// 报送及时率: on time, late or missing for every unit, read from the submissions of any workflow;
/// deadlines the province sets; reminders shown until the unit submits.
@Suite struct TimelinessTests {
    func report(_ api: ContactsAPI, _ query: String, as username: String = "sheng", status: HTTPStatus = .ok) async throws -> TimelinessService.Report? {
        let text = try await api.call("/api/v1/timeliness?\(query)", method: .GET, as: username, status: status)
        return status == .ok ? try api.decode(TimelinessService.Report.self, text) : nil
    }

    @Test func contactsOnTimeLateAndMissingThroughTheEngine() async throws {
        try await withTestApp { app in
            let clock = FixedClock(CivilDate(year: 2017, month: 3, day: 31)!, hour: 23)
            app.clock = clock
            let api = ContactsAPI(app: app)
            // 成都市: every county, then the city, on the deadline day.
            try await api.submitOtherCounties(of: "510100", except: [], on: CivilDate(year: 2017, month: 3, day: 20)!)
            try await api.save(as: "chengdu")
            try await api.call("/api/v1/contacts/submit", as: "chengdu", ["year": "2017"])
            // 自贡市 on 5 April.
            clock.set(FixedClock(CivilDate(year: 2017, month: 4, day: 5)!).now())
            try await api.submitOtherCounties(of: "510300", except: [], on: CivilDate(year: 2017, month: 4, day: 1)!)
            try await api.save(as: "zigong")
            try await api.call("/api/v1/contacts/submit", as: "zigong", ["year": "2017"])

            let text = try await api.call("/api/v1/timeliness?task=contacts&year=2017", method: .GET, as: "sheng")
            let keys = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]).keys
            #expect(Set(keys) == ["deadline", "onTime", "late", "missing", "units"])
            let province = try #require(try await report(api, "task=contacts&year=2017"))
            #expect(province.deadline == "2017-03-31")
            #expect((province.onTime, province.late, province.missing) == (1, 1, 19))
            #expect(province.units.count == 21)
            #expect(province.units.first { $0.code == "510100" } == .init(code: "510100", name: "成都市", status: "onTime"))
            #expect(province.units.first { $0.code == "510300" }?.status == "late")
            #expect(province.units.first { $0.code == "510400" }?.status == "missing")
            // A city sees its counties; a county itself.
            let city = try #require(try await report(api, "task=contacts&year=2017", as: "zigong"))
            #expect(city.units.count == app.regions.children(of: "510300").count && city.late == city.units.count)
            let county = try #require(try await report(api, "task=contacts&year=2017", as: "jinjiang"))
            #expect(county.units.map(\.code) == ["510104"] && county.onTime == 1)
            // The province's view of one city.
            let chengdu = try #require(try await report(api, "task=contacts&year=2017&region=510100"))
            #expect(chengdu.onTime == chengdu.units.count)

            // Moving the deadline judges the submissions again (and the engine's late flags with them).
            try await api.call("/api/v1/timeliness/deadlines", as: "sheng", ["task": "contacts", "year": "2017", "deadline": "2017-04-10"])
            let moved = try #require(try await report(api, "task=contacts&year=2017"))
            #expect(moved.deadline == "2017-04-10" && moved.onTime == 2 && moved.late == 0)
            let zigongRow = try #require(try await SubmissionModel.query(on: app.db).filter(\.$workflow == "contacts").filter(\.$regionCode == "510300").first())
            #expect(!zigongRow.late)
            try await api.call("/api/v1/timeliness/deadlines", as: "chengdu", ["task": "contacts", "year": "2017", "deadline": "2017-05-01"], status: .forbidden)
            try await api.call("/api/v1/timeliness/deadlines", as: "sheng", ["task": "contacts", "year": "2017", "deadline": "4月10日"], status: .unprocessableEntity)
        }
    }

    @Test func integrationCountsOnlyUnitsTakingPartAndAnyWorkflowIsRead() async throws {
        try await withTestApp { app in
            let api = ContactsAPI(app: app)
            let batch = try await makeIntegrationBatch(app)
            for (county, body) in [("510104", "51010419800101001"), ("510302", "51030219800101001")] {
                let entry = IntegrationEntryModel()
                entry.batchID = batch.id!
                entry.countyCode = county
                entry.cityCode = app.regions.region(code: county)!.parentCode
                entry.sequence = 1
                entry.name = "名单教师"
                entry.residentID = ResidentID.completing(body: body).value
                entry.status = "pending"
                entry.added = false
                try await entry.create(on: app.db)
            }
            try await api.submission(workflow: "integration", subject: batch.id!, region: "510100", level: "city", state: .approved,
                                     on: CivilDate(year: 2016, month: 9, day: 29)!)
            try await api.submission(workflow: "integration", subject: batch.id!, region: "510104", level: "county", state: .submitted,
                                     on: CivilDate(year: 2016, month: 10, day: 8)!)
            let province = try #require(try await report(api, "task=integration&year=2016"))
            #expect(province.deadline == "2016-09-30")
            #expect(province.units.map(\.code) == ["510100", "510300"])
            #expect((province.onTime, province.late, province.missing) == (1, 0, 1))
            let city = try #require(try await report(api, "task=integration&year=2016", as: "chengdu"))
            #expect(city.units == [.init(code: "510104", name: "锦江区", status: "late")])
            // No batch in 2015: nobody is asked.
            #expect(try await report(api, "task=integration&year=2015")?.units.isEmpty == true)
            // The plan task reads `plan` submissions as soon as they exist; none yet, every city missing.
            let plan = try #require(try await report(api, "task=plan&year=2017"))
            #expect(plan.deadline == "2017-03-31" && plan.missing == 21)
            try await api.submission(workflow: "plan", subject: 2017, region: "510300", level: "city", state: .submitted,
                                     on: CivilDate(year: 2017, month: 3, day: 1)!)
            #expect(try await report(api, "task=plan&year=2017")?.onTime == 1)
            #expect(try await report(api, "task=completion&year=2017")?.deadline == "2017-12-31")
            _ = try await report(api, "task=nonsense&year=2017", status: .unprocessableEntity)

            // 待办's overdue units read every task's submissions in one query: the same units as
            // each task read alone, and only the cities with entries asked for the batch.
            let service = TimelinessService(database: app.db, regions: app.regions)
            let sichuan = try #require(app.regions.region(code: "510000"))
            func key(_ unit: TimelinessController.Overdue) -> String { "\(unit.task) \(unit.deadline) \(unit.code) \(unit.name)" }
            for year in [2016, 2017] {
                let together = try await service.overdue(year: year, region: sichuan, today: CivilDate(year: year + 1, month: 1, day: 1)!)
                var alone: [String] = []
                for task in ReportingTask.all where task.onEngine {
                    let deadline = try await TaskDeadlines(database: app.db).deadline(task, year: year)
                    for unit in try await service.statuses(task, year: year, units: service.units(of: sichuan), deadline: deadline) where unit.status == .missing {
                        alone.append("\(task.key) \(deadline) \(unit.region.code) \(unit.region.name)")
                    }
                }
                #expect(together.map(key) == alone)
                #expect(Set(together.map(\.task)) == (year == 2016 ? ["plan", "contacts", "integration", "completion"] : ["plan", "contacts", "completion"]))
            }
            let overdue = try await service.overdue(year: 2017, region: sichuan, today: CivilDate(year: 2018, month: 1, day: 1)!)
            #expect(overdue.filter { $0.task == "plan" }.count == 20 && !overdue.contains { $0.task == "plan" && $0.code == "510300" })
            let batchOverdue = try await service.overdue(year: 2016, region: sichuan, today: CivilDate(year: 2017, month: 1, day: 1)!)
            #expect(batchOverdue.filter { $0.task == "integration" }.map(\.code) == ["510300"])
        }
    }

    @Test func remindersShowUntilTheUnitSubmitsAndScope() async throws {
        try await withTestApp { app in
            app.clock = FixedClock(CivilDate(year: 2017, month: 4, day: 3)!)
            let api = ContactsAPI(app: app)
            // Overdue after the deadline.
            struct Overdue: Decodable { let task: String; let code: String }
            let overdue = try api.decode([Overdue].self, try await api.call("/api/v1/timeliness/overdue?year=2017", method: .GET, as: "sheng"))
            #expect(overdue.filter { $0.task == "contacts" }.count == 21)
            #expect(!overdue.contains { $0.task == "plan" } || ApprovalWorkflowKind(rawValue: "plan") != nil)

            try await api.call("/api/v1/timeliness/reminders", as: "sheng", ["task": "contacts", "year": "2017", "region": "510300"], status: .created)
            try await api.call("/api/v1/timeliness/reminders", as: "chengdu", ["task": "contacts", "year": "2017", "region": "510105",
                                                                                "message": "请尽快报送"], status: .created)
            // Out of scope is not found; a county cannot remind.
            try await api.call("/api/v1/timeliness/reminders", as: "chengdu", ["task": "contacts", "year": "2017", "region": "510302"], status: .notFound)
            try await api.call("/api/v1/timeliness/reminders", as: "jinjiang", ["task": "contacts", "year": "2017", "region": "510104"], status: .forbidden)
            _ = try await report(api, "task=contacts&year=2017&region=510300", as: "chengdu", status: .notFound)
            _ = try await report(api, "task=contacts&year=2017&region=510105", as: "jinjiang", status: .notFound)
            try await api.call("/api/v1/timeliness?task=contacts&year=2017", method: .GET, as: "pingshen", status: .notFound)

            // Shown on the unit's contacts page and timeliness page.
            var page = try await api.call("/contacts?year=2017", method: .GET, as: "zigong")
            #expect(page.contains("催报通知") && page.contains("请于 2017-03-31 前报送2017年项目联系人信息表（附件4）。"))
            page = try await api.call("/timeliness?task=contacts&year=2017", method: .GET, as: "zigong")
            #expect(page.contains("催报通知"))
            #expect(try await api.view(as: "qingyang")?.reminders.map(\.message) == ["请尽快报送"])
            #expect(try await api.view(as: "jinjiang")?.reminders.isEmpty == true)
            // Not in another unit's view.
            #expect(!(try await api.call("/contacts?year=2017", method: .GET, as: "chengdu")).contains("催报通知"))

            // Once 自贡市 has submitted, the reminder is gone.
            try await api.submitOtherCounties(of: "510300", except: [], on: CivilDate(year: 2017, month: 4, day: 3)!)
            try await api.save(as: "zigong")
            try await api.call("/api/v1/contacts/submit", as: "zigong", ["year": "2017"])
            page = try await api.call("/contacts?year=2017", method: .GET, as: "zigong")
            #expect(!page.contains("催报通知"))
            // The province's page: counts, the reminder buttons for missing cities, the overdue list.
            page = try await api.call("/timeliness?task=contacts&year=2017", method: .GET, as: "sheng")
            #expect(page.contains("逾期报送 1") && page.contains("催报") && page.contains("修改截止日期"))
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "reminder").count() == 2)
        }
    }
}
