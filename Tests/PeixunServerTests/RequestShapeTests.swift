import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import PeixunServer

/// Pages the load mix hits most, read in fewer queries (bench/README.md, "load"): the answers
/// must stay what the per-source queries gave.
@Suite struct RequestShapeTests {
    func get<T: Decodable>(_ app: Application, _ path: String, as username: String, _ type: T.Type) async throws -> T {
        var value: T?
        try await app.testing().test(.GET, path, headers: try await TestUsers.bearer(app, username)) { response in
            #expect(response.status == .ok, "\(path): \(response.body.string)")
            value = try response.content.decode(T.self)
        }
        return try #require(value)
    }

    func contact(_ app: Application, _ region: String, year: Int, person: String) async throws {
        let row = ContactModel()
        row.year = year
        row.regionCode = region
        row.set(ContactDetails(department: "教育局人事科", person: person, title: "科长", officePhone: "028-8611\(year)", mobile: "13600000000", email: "a@b.cn"))
        row.updatedBy = "test"
        row.updatedAt = Date()
        try await row.create(on: app.db)
    }

    @Test func aTeacherWithTrainingsInTwoYearsSeesThemInOrderWithItsCountysContact() async throws {
        try await withTestApp(demo: .small) { app in
            let teacher = try #require(try await TeacherModel.query(on: app.db).filter(\.$countyCode == "510104").filter(\.$firstPassedYear != nil).sort(\.$id).first())
            let user = try await TestUsers.createTeacherUser(app, teacher: teacher)
            let projects = try await ProjectModel.query(on: app.db).sort(\.$id).limit(3).all()
            for (project, year) in zip(projects, [2015, 2014, 2015]) {
                let record = TrainingRecordModel()
                record.teacherID = teacher.id!
                record.projectID = project.id!
                record.year = year
                record.result = "failed"
                try await record.create(on: app.db)
            }
            struct Record: Decodable, Equatable { let project: String; let level: String; let year: Int; let result: String }
            struct Mine: Decodable { let name: String; let school: String; let county: String; let records: [Record]; let integration: [TeacherPipelineDTO]; let contact: String? }
            var mine = try await get(app, "/api/v1/me/training", as: user.username, Mine.self)
            let expected = try await TeacherRecordDTO.load(teacherID: teacher.id!, on: app.db as! any SQLDatabase)
                .map { Record(project: $0.project, level: $0.level, year: $0.year, result: $0.result) }
            #expect(mine.records == expected && Set(mine.records.map(\.year)).count >= 2)
            #expect(mine.records.map(\.year) == mine.records.map(\.year).sorted())
            #expect(mine.records.filter { $0.result == "不合格" }.count == 3)
            let school = try await SchoolModel.find(teacher.$school.id, on: app.db)
            #expect(mine.name == teacher.name && mine.school == school?.name && mine.county == "成都市锦江区")
            #expect(mine.integration.isEmpty && mine.contact == nil)

            // The county's contact of an older year goes before the city's newer one.
            try await contact(app, "510100", year: 2017, person: "王芳")
            mine = try await get(app, "/api/v1/me/training", as: user.username, Mine.self)
            #expect(mine.contact == "请联系成都市教育局人事科 王芳，办公电话 028-86112017。")
            try await contact(app, "510104", year: 2015, person: "张伟")
            try await contact(app, "510104", year: 2016, person: "李娜")
            mine = try await get(app, "/api/v1/me/training", as: user.username, Mine.self)
            #expect(mine.contact == "请联系锦江区教育局人事科 李娜，办公电话 028-86112016。")
            #expect(try await WhomToCall.forCounty("510104", regions: app.regions, on: app.db)?.sentence == mine.contact)
            #expect(try await WhomToCall.forCounty("510105", regions: app.regions, on: app.db)?.isCity == true)
        }
    }

    @Test func aTeachersIntegrationStepsAreLookedUpBatchByBatchNotByScanningEveryEntry() async throws {
        try await withTestApp { app in
            let sql = app.db as! any SQLDatabase
            guard sql.dialect.name == "sqlite" else { return }
            struct Step: Decodable { let detail: String }
            let plan = try await sql.raw("EXPLAIN QUERY PLAN SELECT b.year \(TeacherPipelineDTO.source(residentID: "\(bind: "510104198001010011")"))")
                .all(decoding: Step.self).map(\.detail)
            #expect(plan.contains { $0.hasPrefix("SEARCH e USING") && $0.contains("resident_id=?") }, "\(plan)")
            #expect(!plan.contains { $0.hasPrefix("SCAN e") }, "\(plan)")
        }
    }

    @Test func aCountyWithNothingToDoSeesOnlyItsOwnReportsAndStoredDeadlinesCount() async throws {
        try await withTestApp(demo: .small) { app in
            app.clock = FixedClock(CivilDate(year: 2017, month: 3, day: 10)!)
            let county = try await get(app, "/api/v1/todo", as: "jinjiang", TodoBoard.Board.self)
            #expect(county.items.map(\.title) == ["2017年培训计划及执行情况（附件3）：未提交", "2017年项目联系人信息表（附件4）：未提交",
                                                  "2017年培训实施情况统计表（附件1）：未提交"])
            #expect(county.items.map(\.deadline) == ["2017-03-31", "2017-03-31", "2017-12-31"] && county.items.first?.daysLeft == 21)
            #expect(county.items.allSatisfy { !$0.action && !$0.overdue } && county.waiting == 0 && county.total == 3)

            // The province moves the plan's deadline: the county's item and the overdue units follow it.
            _ = try await TaskDeadlines(database: app.db).set(ReportingTask.named("plan")!, year: 2017, to: CivilDate(year: 2017, month: 4, day: 30)!,
                                                             by: "sheng", at: Date())
            app.clock = FixedClock(CivilDate(year: 2017, month: 4, day: 3)!)
            let moved = try await get(app, "/api/v1/todo", as: "jinjiang", TodoBoard.Board.self)
            #expect(moved.items.first { $0.title.contains("培训计划") }?.deadline == "2017-04-30")
            #expect(moved.items.first?.title.contains("项目联系人") == true && moved.items.first?.overdue == true)

            let service = TimelinessService(database: app.db, regions: app.regions)
            for code in ["510000", "510100"] {
                let region = try #require(app.regions.region(code: code))
                let board = try await get(app, "/api/v1/todo", as: code == "510000" ? "sheng" : "chengdu", TodoBoard.Board.self)
                let overdue = board.items.filter { $0.title.hasPrefix("逾期未报") }
                #expect(overdue.map(\.title) == ["逾期未报：2017年项目联系人信息表（附件4）"], "\(code)")
                #expect(overdue.first?.count == service.units(of: region).count)
                // The board's overdue units are the timeliness page's (one function answers both): every unit below, for contacts only.
                let units = try await service.overdue(year: 2017, region: region, today: app.clock.today())
                #expect(units.map(\.code) == service.units(of: region).map(\.code))
                #expect(Set(units.map(\.task)) == ["contacts"])
            }
        }
    }
}
