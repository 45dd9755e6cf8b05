import Fluent
import PeixunCore
import Testing
import VaporTesting
@testable import PeixunServer

@Suite struct DemoLoaderTests {
    @Test func refusesADatabaseThatAlreadyHoldsData() async throws {
        try await withTestApp(demo: .small) { app in
            let teachers = try await TeacherModel.query(on: app.db).count()
            let loader = DemoLoader(database: app.db, generator: DemoProvinceGenerator(scale: .small, seed: 99))
            await #expect(throws: DemoLoader.DatabaseNotEmpty.self) { _ = try await loader.load() }
            #expect(try await TeacherModel.query(on: app.db).count() == teachers)
        }
    }

    @Test func loadsEverythingTheGeneratorMadeAndKeepsTheCooperationProjects() async throws {
        try await withTestApp { app in
            let generator = DemoProvinceGenerator(scale: .small, seed: 5)
            let summary = try await DemoLoader(database: app.db, generator: generator).load()
            var teachers = 0, records = 0
            generator.generate { teachers += $0.teachers.count; records += $0.records.count }
            #expect(summary.teachers == teachers)
            #expect(summary.records == records)
            #expect(try await TeacherModel.query(on: app.db).count() == teachers)
            #expect(try await TrainingRecordModel.query(on: app.db).count() == records)
            let cooperation = try await ProjectModel.query(on: app.db).filter(\.$level == "cooperation").all()
            #expect(Set(cooperation.map(\.name)) == Set(CooperationProjects.all.map(\.name)))
            #expect(try await ProjectModel.query(on: app.db).count() == generator.projects.count)

            // Ordinary inserts still work after the explicit ids (PostgreSQL sequences).
            let project = ProjectModel()
            project.name = "2018年测试项目"
            project.level = "provincial"
            project.year = 2018
            project.endYear = 2018
            project.organiser = "四川省教育厅"
            try await project.create(on: app.db)
            #expect(project.id! > generator.projects.count)

            // The keys set aside during the load are back: a teacher's ID once more is refused.
            let teacher = try #require(try await TeacherModel.query(on: app.db).first())
            await #expect(throws: (any Error).self) {
                try await app.sql.raw("""
                    INSERT INTO teachers (resident_id, name, school_id, stage, county_code, city_code)
                    VALUES (\(bind: teacher.residentID), 'x', \(bind: teacher.$school.id), \(bind: teacher.stage), \(bind: teacher.countyCode), \(bind: teacher.cityCode))
                    """).run()
            }
        }
    }

    /// On PostgreSQL the three copies run side by side (pipelined); one refused part-way must
    /// take the others down with the transaction, none landing after it.
    @Test func aLoadRefusedPartWayLeavesTheDatabaseEmpty() async throws {
        try await withTestApp { app in
            let generator = DemoProvinceGenerator(scale: .small, seed: 5)
            var ids: [Int] = []
            generator.generate { ids += $0.records.map(\.id) }
            try await refuseInsert(into: "training_records", where: "id", is: String(ids.sorted()[ids.count * 2 / 3]), app)
            await #expect(throws: (any Error).self) {
                try await DemoLoader(database: app.db, generator: generator).load()
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await DemoLoader(database: app.db, generator: generator).isEmpty())
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "demo_province").count() == 0)
        }
    }

    @Test func seedCooperationProjectsHaveTheirPilotCounties() async throws {
        try await withTestApp { app in
            let pilot = try await ProjectModel.query(on: app.db).filter(\.$name == "示范性网络研修与校本研修整合项目").first()!
            let counties = try await ProjectPilotCountyModel.query(on: app.db).filter(\.$projectID == pilot.id!).all().map(\.regionCode)
            #expect(Set(counties) == ["510723", "510521", "511523"])
        }
    }
}
