import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// 教师名册: search, filters, pagination, export, and create/edit with the import's checks.
@Suite struct TeacherRegistryTests {
    struct Count: Decodable { let n: Int }

    func count(_ app: Application, _ condition: SQLQueryString) async throws -> Int {
        try await app.sql.raw("SELECT COUNT(*) AS n FROM teachers t WHERE " + condition).first(decoding: Count.self)!.n
    }

    func list(_ app: Application, _ query: String, as username: String = "jinjiang") async throws -> TeacherListController.ListDTO {
        let headers = try await TestUsers.bearer(app, username)
        var dto: TeacherListController.ListDTO?
        try await app.testing().test(.GET, "/api/v1/teachers?" + query, headers: headers) { response in
            #expect(response.status == .ok, "\(query): \(response.body.string)")
            dto = try response.content.decode(TeacherListController.ListDTO.self)
        }
        return try #require(dto)
    }

    @Test func searchesByNameWholeIDLastDigitsAndSchoolWithinScope() async throws {
        try await withTestApp(demo: .small) { app in
            struct Teacher: Decodable { let id: Int; let name: String; let resident_id: String; let county_code: String }
            let mine = try await app.sql.raw("SELECT id, name, resident_id, county_code FROM teachers WHERE county_code = '510104' ORDER BY id LIMIT 1 OFFSET 7")
                .first(decoding: Teacher.self)!
            let theirs = try await app.sql.raw("SELECT id, name, resident_id, county_code FROM teachers WHERE county_code = '510105' ORDER BY id LIMIT 1")
                .first(decoding: Teacher.self)!

            let byID = try await list(app, "q=\(mine.resident_id)")
            #expect(byID.total == 1 && byID.teachers.first?.id == mine.id)
            #expect(byID.teachers.first?.residentID == ResidentID(canonical: mine.resident_id)!.masked, "masked in lists")
            #expect(!byID.teachers.first!.residentID.contains(String(mine.resident_id.dropFirst(6).prefix(8))))

            let suffix = String(mine.resident_id.suffix(4))
            let bySuffix = try await list(app, "q=\(suffix)")
            #expect(bySuffix.teachers.contains { $0.id == mine.id })
            #expect(bySuffix.total == (try await count(app, "t.county_code = '510104' AND t.resident_id LIKE \(bind: "%" + suffix)")))

            let byName = try await list(app, "q=\(mine.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            #expect(byName.teachers.contains { $0.id == mine.id })
            #expect(byName.teachers.allSatisfy { $0.name.hasPrefix(mine.name) })

            // Another county's teacher is not found by a county user, even by the whole ID; the city finds it.
            #expect(try await list(app, "q=\(theirs.resident_id)").total == 0)
            #expect(try await list(app, "q=\(theirs.resident_id)", as: "chengdu").total == 1)
            #expect(try await list(app, "q=\(theirs.resident_id)", as: "zigong").total == 0)

            let headers = try await TestUsers.bearer(app, "jinjiang")
            try await app.testing().test(.GET, "/api/v1/teachers?q=123", headers: headers) { response in
                #expect(response.status == .badRequest)
                #expect(response.body.string.contains("完整的18位号码，或末尾4位"))
            }
            try await app.testing().test(.GET, "/api/v1/teachers?region=510105", headers: headers) { response in
                #expect(response.status == .notFound)
            }
            try await app.testing().test(.GET, "/api/v1/teachers?stage=高中部", headers: headers) { response in
                #expect(response.status == .badRequest)
                #expect(response.body.string.contains("学段参数无效"))
            }

            let school = try await list(app, "school=%E5%B9%BC%E5%84%BF%E5%9B%AD")   // 幼儿园
            #expect(school.total > 0 && school.teachers.allSatisfy { $0.school.contains("幼儿园") })
            #expect(school.total == (try await count(app, "t.county_code = '510104' AND t.school_id IN (SELECT id FROM schools WHERE name LIKE '%幼儿园%')")))
        }
    }

    @Test func filtersByStatusStageAndRegionAndPages() async throws {
        try await withTestApp(demo: .small) { app in
            let failed = "EXISTS (SELECT 1 FROM training_records r WHERE r.teacher_id = t.id AND r.result = 'failed')"
            let all = try await list(app, "", as: "chengdu")
            #expect(all.total == (try await count(app, "t.city_code = '510100'")))
            let passed = try await list(app, "status=passed", as: "chengdu")
            let untrained = try await list(app, "status=untrained", as: "chengdu")
            let failedList = try await list(app, "status=%E4%B8%8D%E5%90%88%E6%A0%BC", as: "chengdu")   // 不合格
            #expect(passed.total == (try await count(app, "t.city_code = '510100' AND t.first_passed_year IS NOT NULL")))
            #expect(failedList.total == (try await count(app, "t.city_code = '510100' AND t.first_passed_year IS NULL AND \(unsafeRaw: failed)")))
            #expect(passed.total + untrained.total + failedList.total == all.total, "the three statuses partition the roll")
            #expect(failedList.total > 0 && failedList.teachers.allSatisfy { $0.status == "failed" && $0.statusLabel == "不合格" })
            #expect(passed.teachers.allSatisfy { $0.firstPassedYear != nil })

            let county = try await list(app, "region=510104&stage=kindergarten", as: "chengdu")
            #expect(county.total == (try await count(app, "t.county_code = '510104' AND t.stage = 'kindergarten'")))
            #expect(county.teachers.allSatisfy { $0.county == "锦江区" && $0.stage == "幼儿园" })

            // Pages do not overlap and together hold every teacher.
            let pages = all.pageCount
            #expect(pages == (all.total + 49) / 50)
            var seen = Set<Int>()
            for page in 1...pages {
                let chunk = try await list(app, "page=\(page)", as: "chengdu")
                #expect(chunk.teachers.count == (page < pages ? 50 : all.total - 50 * (pages - 1)))
                seen.formUnion(chunk.teachers.map(\.id))
            }
            #expect(seen.count == all.total)
        }
    }

    @Test func theListPageShowsFiltersEmptyStatesAndMistakes() async throws {
        try await withTestApp(demo: .small) { app in
            let session = try await TestUsers.session(app, "jinjiang")
            try await app.testing().test(.GET, "/teachers?status=failed", headers: session.headers) { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("<option value=\"failed\" selected>不合格</option>"))
                #expect(response.body.string.contains("/teachers/export?status=failed&amp;format=xlsx"))
                #expect(!response.body.string.contains("青羊区"))
            }
            try await app.testing().test(.GET, "/teachers?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E4%BA%BA", headers: session.headers) { response in
                #expect(response.body.string.contains("没有符合条件的教师"))
            }
            try await app.testing().test(.GET, "/teachers?q=12", headers: session.headers) { response in
                #expect(response.status == .badRequest)
                #expect(response.body.string.contains("完整的18位号码，或末尾4位"))
                #expect(response.body.string.contains("<table"), "the unfiltered list is still shown")
            }
        }
        try await withTestApp { app in
            let session = try await TestUsers.session(app, "jinjiang")
            try await app.testing().test(.GET, "/teachers", headers: session.headers) { response in
                #expect(response.body.string.contains("名册中还没有教师"))
            }
        }
    }

    @Test func exportsTheFilteredListWithMaskedIDsAndAudits() async throws {
        try await withTestApp(demo: .small) { app in
            let directory = NSTemporaryDirectory() + "peixun-export-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let expected = try await list(app, "region=510104&status=untrained", as: "chengdu")
            let headers = try await TestUsers.bearer(app, "chengdu")
            try await app.testing().test(.GET, "/teachers/export?region=510104&status=untrained&format=xlsx", headers: headers) { response in
                #expect(response.status == .ok)
                try Data(buffer: response.body).write(to: URL(fileURLWithPath: directory + "/list.xlsx"))
            }
            let rows = try convertToCSV(directory + "/list.xlsx", directory: directory)
            #expect(rows[0].first == "锦江区教师名册（\(CivilDate.today())导出）")
            #expect(rows[1] == TeacherListController.exportHeaders)
            let body = rows.dropFirst(2).filter { !$0.allSatisfy(\.isEmpty) }
            #expect(body.count == expected.total)
            #expect(body.allSatisfy { $0[0] == "锦江区" && $0[6] == "未参训" && $0[4].contains("********") })

            try await app.testing().test(.GET, "/teachers/export?region=510104&format=csv", headers: headers) { response in
                #expect(response.headers.contentType?.subType == "csv")
                let text = String(decoding: Data(buffer: response.body).dropFirst(3), as: UTF8.self)
                #expect(text.hasPrefix("县(市、区),所在学校,学段,教师姓名,身份证号码"))
            }
            try await app.testing().test(.GET, "/teachers/export?format=pdf", headers: headers) { response in
                #expect(response.status == .badRequest)
            }
            let audits = try await AuditEntryModel.query(on: app.db).filter(\.$action == "export").filter(\.$objectType == "teacher_list").all()
            #expect(audits.count == 2 && audits.allSatisfy { $0.countyCode == "510104" })
        }
    }

    func send(_ app: Application, _ method: HTTPMethod, _ path: String, as username: String, _ body: [String: String],
              status: HTTPStatus, contains: String? = nil) async throws -> String {
        let headers = try await TestUsers.bearer(app, username)
        var text = ""
        try await app.testing().test(method, path, headers: headers, beforeRequest: { try $0.content.encode(body, as: .json) }) { response in
            text = response.body.string
            #expect(response.status == status, "\(method) \(path): \(text)")
            if let contains { #expect(text.contains(contains), "\(text)") }
        }
        return text
    }

    @Test func createsAndEditsTeachersWithTheImportChecks() async throws {
        try await withTestApp(demo: .small) { app in
            struct School: Decodable { let name: String; let stage: String }
            let school = try await app.sql.raw("SELECT name, stage FROM schools WHERE county_code = '510104' AND stage = 'kindergarten' LIMIT 1")
                .first(decoding: School.self)!
            let id = ResidentID.completing(body: "51010419880315002").value
            var form = ["county": "锦江区", "school": school.name, "name": "欧阳 小雨", "residentID": id.lowercased(), "phone": "138 0013 8000"]
            let before = try await report(app, region: "510104").total.total
            let created = try await send(app, .POST, "/api/v1/teachers", as: "jinjiang", form, status: .created, contains: "欧阳小雨")
            #expect(created.contains("\"stage\":\"kindergarten\""), "stage from the school")
            let teacher = try #require(try await TeacherModel.query(on: app.db).filter(\.$residentID == id).first())
            #expect(teacher.mobile == "13800138000" && teacher.countyCode == "510104")
            #expect(try await report(app, region: "510104").total.total == before + 1, "the report counts the new teacher")
            // A whole registry's total comes from the county rollup: the same as counting the teachers, new one included.
            for (user, query, condition) in [("jinjiang", "", "t.county_code = '510104'"), ("chengdu", "", "t.city_code = '510100'"),
                                             ("sheng", "", "1 = 1"), ("sheng", "region=510104", "t.county_code = '510104'"),
                                             ("sheng", "region=510100", "t.city_code = '510100'"), ("chengdu", "stage=kindergarten",
                                             "t.city_code = '510100' AND t.stage = 'kindergarten'")] as [(String, String, SQLQueryString)] {
                #expect(try await list(app, query, as: user).total == (try await count(app, condition)), "\(user) \(query)")
            }
            // The count rides on the page's rows; a page past the end still says how many there are.
            let beyond = try await list(app, "page=9999&stage=kindergarten", as: "chengdu")
            let kindergartens = try await count(app, "t.city_code = '510100' AND t.stage = 'kindergarten'")
            #expect(beyond.teachers.isEmpty && beyond.total == kindergartens && kindergartens > 0)

            _ = try await send(app, .POST, "/api/v1/teachers", as: "jinjiang", form, status: .unprocessableEntity, contains: "id.duplicate")
            _ = try await send(app, .POST, "/api/v1/teachers", as: "qingyang", form, status: .unprocessableEntity, contains: "region.out_of_scope")
            form["county"] = "青羊区"
            form["school"] = try await app.sql.raw("SELECT name, stage FROM schools WHERE county_code = '510105' LIMIT 1").first(decoding: School.self)!.name
            _ = try await send(app, .POST, "/api/v1/teachers", as: "qingyang", form, status: .unprocessableEntity, contains: "id.registered_elsewhere")

            var bad = ["county": "锦江区", "school": "没有这所学校", "name": "", "residentID": "510104198803150029", "phone": "12345", "sex": "女"]
            let refused = try await send(app, .POST, "/api/v1/teachers", as: "jinjiang", bad, status: .unprocessableEntity)
            for code in ["name.missing", "id.checksum", "phone.invalid"] { #expect(refused.contains(code), "\(code) in \(refused)") }
            bad = ["county": "锦江区", "school": "没有这所学校", "name": "张三", "residentID": ResidentID.completing(body: "51010419880315003").value]
            _ = try await send(app, .POST, "/api/v1/teachers", as: "jinjiang", bad, status: .unprocessableEntity, contains: "school.unknown")

            // Edit: the phone changes and the change is audited; a bad value changes nothing.
            _ = try await send(app, .PATCH, "/api/v1/teachers/\(teacher.id!)", as: "jinjiang", ["phone": "13900139000"], status: .ok)
            let audit = try #require(try await AuditEntryModel.query(on: app.db).filter(\.$action == "update").filter(\.$objectID == String(teacher.id!)).first())
            #expect(audit.changes.contains("13900139000"))
            _ = try await send(app, .PATCH, "/api/v1/teachers/\(teacher.id!)", as: "jinjiang", ["phone": "abc", "name": "新名字"], status: .unprocessableEntity, contains: "phone.invalid")
            let after = try await TeacherModel.find(teacher.id, on: app.db)!
            #expect(after.mobile == "13900139000" && after.name == "欧阳小雨")
            _ = try await send(app, .PATCH, "/api/v1/teachers/\(teacher.id!)", as: "qingyang", ["phone": "13700137000"], status: .notFound)

            // The web form: a mistake is shown beside the form, with what was typed.
            let session = try await TestUsers.session(app, "jinjiang")
            try await app.testing().test(.POST, "/teachers/new", headers: session.headers, beforeRequest: { request in
                try request.content.encode(["_csrf": session.csrf, "county": "510104", "school": school.name, "name": "李四", "residentID": "51010419880315"],
                                           as: .urlEncodedForm)
            }) { response in
                #expect(response.status == .unprocessableEntity)
                #expect(response.body.string.contains("身份证号码："))
                #expect(response.body.string.contains("value=\"李四\""))
            }
        }
    }
}
