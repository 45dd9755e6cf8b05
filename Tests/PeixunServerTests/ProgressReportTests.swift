import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

@Suite struct ProgressReportTests {
    @Test func provinceReportMatchesTheDemoPlanForEveryCity() async throws {
        try await withTestApp(demo: .small) { app in
            try await app.testing().test(.GET, "/api/v1/reports/progress?year=2016", headers: TestUsers.bearer(app, "sheng")) { response in
                #expect(response.status == .ok)
                let report = try response.content.decode(ProgressDTO.self)
                #expect(report.year == 2016)
                #expect(report.region.code == "510000" && report.region.name == "四川省")
                #expect(report.rows.count == 21)
                let expected = DemoProvinceGenerator.cityFigures(scale: .small).sorted { $0.code < $1.code }
                #expect(report.rows.map(\.code) == expected.map(\.code))
                for (row, city) in zip(report.rows, expected) {
                    #expect(row.code == city.code)
                    #expect(row.kindergarten == city.figures.kindergarten)
                    #expect(row.primarySecondary == city.figures.primarySecondary)
                    #expect(row.vocational == city.figures.vocational)
                    #expect(row.trained == city.figures.trained, "\(row.name)")
                    #expect(row.untrained == city.figures.total - city.figures.trained)
                }
                #expect(report.total.total == report.rows.reduce(0) { $0 + $1.total })
                #expect(report.total.trained == report.rows.reduce(0) { $0 + $1.trained })
                #expect(report.total.untrained == report.rows.reduce(0) { $0 + $1.untrained })
                #expect(report.rows[0].name == "成都市")
                #expect(abs(report.rows[0].completionRate - Double(report.rows[0].trained) / Double(report.rows[0].total)) < 0.0001)
            }
        }
    }

    @Test func drillDownTotalsAddUpAtEveryLevel() async throws {
        try await withTestApp(demo: .small) { app in
            let province = try await report(app, region: nil)
            for city in province.rows.prefix(3) + province.rows.suffix(1) {
                let cityReport = try await report(app, region: city.code)
                #expect(cityReport.rowLevel == "county")
                #expect(cityReport.total.total == city.total, "\(city.name)")
                #expect(cityReport.total.trained == city.trained)
                for county in cityReport.rows.prefix(2) {
                    let countyReport = try await report(app, region: county.code)
                    #expect(countyReport.rowLevel == "school")
                    #expect(countyReport.total.kindergarten == county.kindergarten)
                    #expect(countyReport.total.primarySecondary == county.primarySecondary)
                    #expect(countyReport.total.vocational == county.vocational)
                    #expect(countyReport.total.trained == county.trained, "\(county.name)")
                }
            }
        }
    }

    @Test func trainedCountsGrowWithTheYear() async throws {
        try await withTestApp(demo: .small) { app in
            let years = try await [2013, 2014, 2015, 2016, 2017].asyncMap { try await report(app, region: nil, year: $0).total.trained }
            #expect(years[0] == 0)
            #expect(years == years.sorted())
            #expect(years[3] < years[4])
        }
    }

    @Test func ledgerWritesKeepTheRollupInStep() async throws {
        try await withTestApp(demo: .small) { app in
            struct Row: Decodable { let id: Int; let school_id: Int; let county_code: String }
            let teacher = try await app.sql.raw("SELECT id, school_id, county_code FROM teachers WHERE first_passed_year IS NULL ORDER BY id LIMIT 1")
                .first(decoding: Row.self)!
            let before = try await report(app, region: teacher.county_code, year: 2016)
            let project = try await ProjectModel.query(on: app.db).filter(\.$level == "county").filter(\.$year == 2015).first()!
            try await app.db.transaction { db in
                try await TrainingLedger(database: db).record([
                    .init(teacherID: teacher.id, projectID: project.id!, year: 2015, result: .passed)
                ])
            }
            let after = try await report(app, region: teacher.county_code, year: 2016)
            #expect(after.total.trained == before.total.trained + 1)
            let schoolRow = after.rows.first { $0.code == String(teacher.school_id) }!
            let schoolBefore = before.rows.first { $0.code == String(teacher.school_id) }!
            #expect(schoolRow.trained == schoolBefore.trained + 1)

            // The incremental rollup equals one rebuilt from scratch.
            struct Rollup: Decodable, Hashable { let school_id: Int; let stage: String; let first_passed_year: Int; let teachers: Int }
            let incremental = Set(try await app.sql.raw("SELECT school_id, stage, first_passed_year, teachers FROM progress_rollups").all(decoding: Rollup.self))
            try await ProgressRollup.rebuild(on: app.sql)
            let rebuilt = Set(try await app.sql.raw("SELECT school_id, stage, first_passed_year, teachers FROM progress_rollups").all(decoding: Rollup.self))
            #expect(incremental == rebuilt)
            struct CountyRollup: Decodable, Hashable { let county_code: String; let first_passed_year: Int; let teachers: Int }
            let counties = Set(try await app.sql.raw("SELECT county_code, first_passed_year, teachers FROM progress_county_rollups").all(decoding: CountyRollup.self))
            let summed = Set(try await app.sql.raw("SELECT county_code, first_passed_year, CAST(SUM(teachers) AS BIGINT) AS teachers FROM progress_rollups GROUP BY county_code, first_passed_year").all(decoding: CountyRollup.self))
            #expect(counties == summed && !counties.isEmpty)

            try await app.db.transaction { db in
                try await TrainingLedger(database: db).withdraw(teacherIDs: [teacher.id], projectID: project.id!)
            }
            #expect(try await report(app, region: teacher.county_code, year: 2016).total.trained == before.total.trained)
        }
    }

    @Test func firstPassedYearFollowsTheRecordsWhetherItChangesOrNot() async throws {
        try await withTestApp(demo: .small) { app in
            struct Row: Decodable { let id: Int; let first_passed_year: Int? }
            func teachers(_ condition: SQLQueryString) async throws -> [Row] {
                try await app.sql.raw("SELECT id, first_passed_year FROM teachers WHERE \(condition) ORDER BY id LIMIT 2").all(decoding: Row.self)
            }
            let passed = try await teachers("first_passed_year BETWEEN 2015 AND 2016")
            let untrained = try #require(try await teachers("first_passed_year IS NULL").first)
            try #require(passed.count == 2)
            let project = try #require(try await ProjectModel.query(on: app.db).filter(\.$level == "cooperation").sort(\.$id).first())
            let ids = passed.map(\.id) + [untrained.id]
            struct Count: Decodable { let n: Int }
            try #require(try await app.sql.raw("SELECT COUNT(*) AS n FROM training_records WHERE project_id = \(bind: project.id!) AND teacher_id IN \(SQLBind.group(ids))")
                .first(decoding: Count.self)?.n == 0)
            // A later pass keeps the year (its row is not rewritten), an earlier one moves it, a first one sets it.
            try await app.db.transaction { db in
                try await TrainingLedger(database: db).record([
                    .init(teacherID: passed[0].id, projectID: project.id!, year: passed[0].first_passed_year! + 1, result: .passed),
                    .init(teacherID: passed[1].id, projectID: project.id!, year: passed[1].first_passed_year! - 1, result: .passed),
                    .init(teacherID: untrained.id, projectID: project.id!, year: 2016, result: .passed),
                ])
            }
            func years() async throws -> [Int?] {
                let rows = try await app.sql.raw("SELECT id, first_passed_year FROM teachers WHERE id IN \(SQLBind.group(ids))").all(decoding: Row.self)
                return ids.map { id in rows.first { $0.id == id }?.first_passed_year }
            }
            #expect(try await years() == [passed[0].first_passed_year, passed[1].first_passed_year! - 1, 2016])
            try await app.db.transaction { db in
                try await TrainingLedger(database: db).withdraw(teacherIDs: ids, projectID: project.id!)
            }
            #expect(try await years() == [passed[0].first_passed_year, passed[1].first_passed_year, nil])
        }
    }

    @Test func badParametersAreRefusedWithAChineseMessage() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/api/v1/reports/progress?year=二〇一六", headers: TestUsers.bearer(app, "sheng")) { response in
                #expect(response.status == .badRequest)
                #expect(response.text.contains("\"code\":\"year.invalid\""))
                #expect(response.text.contains("年度参数无效"))
            }
            try await app.testing().test(.GET, "/api/v1/reports/progress?year=2016&region=999999", headers: TestUsers.bearer(app, "sheng")) { response in
                #expect(response.status == .notFound)
                #expect(response.text.contains("行政区划不存在"))
            }
            try await app.testing().test(.GET, "/reports/progress?year=99999", headers: TestUsers.session(app, "sheng").headers) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers.contentType?.subType == "html")
                #expect(response.text.contains("年度参数无效"))
            }
        }
    }

    @Test func anEmptyDatabaseShowsZerosNotErrors() async throws {
        try await withTestApp { app in
            let province = try await report(app, region: nil)
            #expect(province.rows.count == 21)
            #expect(province.total.total == 0 && province.total.completionRate == 0)
            try await app.testing().test(.GET, "/reports/progress?year=2016&region=510104", headers: TestUsers.session(app, "sheng").headers) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("本级暂无下级单位或学校数据"))
            }
        }
    }
}

func report(_ app: Application, region: String?, year: Int = 2016, as username: String = "sheng") async throws -> ProgressDTO {
    var dto: ProgressDTO?
    let headers = try await TestUsers.bearer(app, username)
    try await app.testing().test(.GET, "/api/v1/reports/progress?year=\(year)" + (region.map { "&region=\($0)" } ?? ""), headers: headers) { response in
        #expect(response.status == .ok)
        dto = try response.content.decode(ProgressDTO.self)
    }
    return dto!
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
