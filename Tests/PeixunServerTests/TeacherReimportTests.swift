import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// A province's roster re-imported into a national registry: the importer looks the file's IDs
/// up instead of reading the registry, and must find exactly what a full read found — the
/// province's own teachers (unchanged, changed, renamed) and a teacher registered in another
/// province — while the other province's teachers stay as they were.
@Suite struct TeacherReimportTests {
    struct Registered: Decodable {
        let id: Int
        let resident_id: String
        let name: String
        let mobile: String?
        let stage: String
        let county_code: String
        let county: String
        let school: String
    }

    func registered(_ app: Application, where condition: SQLQueryString) async throws -> [Registered] {
        try await app.sql.raw("""
            SELECT t.id, t.resident_id, t.name, t.mobile, t.stage, t.county_code, r.name AS county, s.name AS school
            FROM teachers t JOIN schools s ON s.id = t.school_id JOIN regions r ON r.code = t.county_code
            WHERE \(condition) ORDER BY t.id
            """).all(decoding: Registered.self)
    }

    /// A roster line; the county by its code, which no other county shares.
    func line(_ teacher: Registered, county: String? = nil, school: String? = nil, name: String? = nil, mobile: String? = nil) -> String {
        [county ?? teacher.county_code, school ?? teacher.school, Stage(rawValue: teacher.stage)!.label, name ?? teacher.name,
         teacher.resident_id, mobile ?? teacher.mobile ?? ""].joined(separator: ",")
    }

    /// `withTheOtherProvince`: the file names the other province's teachers too, so that it is
    /// as large as the registry (SQLite then reads the registry once instead of looking up).
    @Test(arguments: [false, true])
    func aProvinceReimportedIntoTheNationFindsItsTeachersAndOnlyThem(withTheOtherProvince: Bool) async throws {
        try await withTestApp { app in
            _ = try await DemoLoader(database: app.db, nation: DemoNationGenerator(scale: 2, size: .small, seed: 11)).load()
            try await app.loadNationalRegions()
            let sichuan = try await registered(app, where: "t.city_code LIKE '51%'")
            let elsewhere = try await registered(app, where: "t.city_code NOT LIKE '51%'")
            // More than one look-up's worth, and a registry larger than the file.
            #expect(sichuan.count > TeacherImporter.lookupChunk)
            #expect(elsewhere.count >= sichuan.count)
            let total = try await TeacherModel.query(on: app.db).count()

            let (changed, renamed, moved) = (sichuan[0], sichuan[1], elsewhere[elsewhere.count / 2])
            let newMobile = changed.mobile == "13912345678" ? "13912345679" : "13912345678"
            let newID = ResidentID.completing(body: "51010419850101999").value
            var lines = ["县(市、区),所在学校,学段,教师姓名,身份证号码,联系电话"]
            lines.append(line(changed, mobile: newMobile))
            lines.append(line(renamed, name: "另一个名字"))
            lines += sichuan.dropFirst(2).map { line($0) }
            lines.append(line(moved, county: sichuan[2].county_code, school: sichuan[2].school))
            lines.append([sichuan[2].county_code, sichuan[2].school, "中小学", "新教师", newID, ""].joined(separator: ","))
            let others = withTheOtherProvince ? elsewhere.filter { $0.id != moved.id } : []
            lines += others.map { line($0) }
            let directory = NSTemporaryDirectory() + "peixun-reimport-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let url = URL(fileURLWithPath: directory + "/roster.csv")
            try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)

            var options = TeacherImporter.Options()
            options.dryRun = false
            options.skipInvalid = true
            let importer = TeacherImporter(database: app.db, regions: app.regions, scope: .all, actor: .commandLine)
            let report = try await importer.run(url: url, fileName: "roster.csv", options: options).report
            #expect(report.committed)
            #expect(report.rows == sichuan.count + 2 + others.count)
            #expect(report.valid == sichuan.count + others.count)
            #expect(report.created == 1 && report.updated == 1 && report.unchanged == sichuan.count - 2 + others.count)
            let codes = Dictionary(grouping: report.errors, by: \.row).mapValues { $0.map(\.code) }
            #expect(codes.count == 2)
            #expect(codes[3] == ["name.mismatch"])
            #expect(codes[sichuan.count + 2] == ["id.registered_elsewhere"])
            #expect(report.errors.first { $0.code == "id.registered_elsewhere" }?.message.contains(moved.county) == true)

            #expect(try await TeacherModel.query(on: app.db).count() == total + 1)
            #expect(try await registered(app, where: "t.id = \(bind: changed.id)").first?.mobile == newMobile)
            #expect(try await registered(app, where: "t.id = \(bind: renamed.id)").first?.name == renamed.name)
            let after = try await registered(app, where: "t.city_code NOT LIKE '51%'")
            #expect(after.map(\.resident_id) == elsewhere.map(\.resident_id))
            #expect(after.map(\.county_code) == elsewhere.map(\.county_code))

            // Imported again: nothing left to change.
            let again = try await importer.run(url: url, fileName: "roster.csv", options: options).report
            #expect(again.created == 0 && again.updated == 0 && again.unchanged == sichuan.count + others.count)
        }
    }
}
