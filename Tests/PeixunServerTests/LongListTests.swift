import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// Long lists (issue 17): one page-number bar for the registry and the county worklist, with a
/// jump that keeps the filters; the registry sorted by a few columns, stable on the id; every
/// number of the query string bounded, a mistyped one said back in Chinese.
@Suite struct LongListTests {
    let registry = TeacherRegistryTests()
    let review = BrowserReviewTests()

    @Test func thePageBarShowsTheEndsAndTheNeighboursAndReadsNumbersAsTyped() throws {
        #expect(Paging.pageNumbers(current: 1, count: 1) == [])
        #expect(Paging.pageNumbers(current: 1, count: 5) == [1, 2, 3, 4, 5])
        #expect(Paging.pageNumbers(current: 1, count: 174) == [1, 2, 3, nil, 174])
        #expect(Paging.pageNumbers(current: 87, count: 174) == [1, nil, 85, 86, 87, 88, 89, nil, 174])
        #expect(Paging.pageNumbers(current: 5, count: 174) == [1, 2, 3, 4, 5, 6, 7, nil, 174], "a gap of one page shows the page")
        #expect(Paging.pageNumbers(current: 900, count: 174) == [1, nil, 172, 173, 174], "a page past the end is read as the last")

        #expect(try Paging.number(nil, name: "页码") == nil && Paging.number(" ", name: "页码") == nil)
        #expect(try Paging.number(" 7 ", name: "页码") == 7)
        #expect(try Paging.number("99999999999999999999", name: "页码") == Int.max)
        #expect(try Paging.number("-99999999999999999999", name: "页码") == Int.min)
        for bad in ["abc", "1e5", "--3", "３", "7页"] {
            #expect(throws: AppError.self, "\(bad)") { try Paging.number(bad, name: "页码") }
        }

        let bar = PageBar(page: 4, pageCount: 9, list: .teachers(.list), keeping: [.init(name: "stage", value: "kindergarten"), .init(name: "q", value: ""),
                                                                               .init(name: "page", value: "4")])
        #expect(bar.previousURL == "/teachers?stage=kindergarten&page=3" && bar.nextURL == "/teachers?stage=kindergarten&page=5")
        #expect(bar.items.map { $0.gap ? "…" : String($0.number) } == ["1", "2", "3", "4", "5", "6", "…", "9"])
        #expect(bar.items.first?.url == "/teachers?stage=kindergarten", "page 1 carries no number")
        #expect(bar.jumpAction == "/teachers" && bar.jumpFields.map(\.name) == ["stage"], "the jump keeps the filters, not the old page or empty ones")
    }

    @Test func theRegistrySortsByAWhitelistedColumnStablyAndKeepsItAcrossPages() async throws {
        try await withTestApp(demo: .small) { app in
            struct Row: Decodable { let id: Int; let name: String; let school: String; let stage: String }
            let everyone = try await app.sql.raw("""
                SELECT t.id, t.name, s.name AS school, t.stage FROM teachers t JOIN schools s ON s.id = t.school_id WHERE t.city_code = '510100'
                """).all(decoding: Row.self)
            // Swift compares strings by code point here (no character of these names decomposes),
            // as SQLite's BINARY and PostgreSQL's "C" collation do.
            let byName = everyone.sorted { ($0.name, $0.id) < ($1.name, $1.id) }.map(\.id)
            var ids: [Int] = []
            let first = try await registry.list(app, "sort=name", as: "chengdu")
            for page in 1...first.pageCount {
                ids += try await registry.list(app, "sort=name&page=\(page)", as: "chengdu").teachers.map(\.id)
            }
            #expect(ids == byName, "by name in code-point order, then id, on SQLite and PostgreSQL alike")

            let schoolsDown = try await registry.list(app, "sort=school&order=desc", as: "chengdu").teachers
            let expected = everyone.sorted { a, b in
                a.school != b.school ? a.school > b.school : (a.name, a.id) < (b.name, b.id)
            }.prefix(50).map(\.id)
            #expect(schoolsDown.map(\.id) == expected, "school descending, then name and id ascending")
            let stages = try await registry.list(app, "sort=stage&stage=", as: "chengdu").teachers.map(\.stage)
            #expect(stages == stages.sorted { Stage(label: $0)! < Stage(label: $1)! })
            let status = try await registry.list(app, "sort=status&order=desc", as: "chengdu")
            #expect(status.total == first.total)

            let headers = try await TestUsers.bearer(app, "chengdu")
            for (query, words) in [("sort=password", "排序参数无效，应为 name（姓名）"), ("sort=name&order=up", "排序方向参数无效"),
                                   ("page=abc", "页码应为整数，收到的是“abc”")] {
                try await app.testing().test(.GET, "/api/v1/teachers?" + query, headers: headers) { response in
                    #expect(response.status == .badRequest && response.body.string.contains(words), "\(query): \(response.body.string)")
                }
            }
        }
    }

    @Test func theRegistryPageHasPageNumbersAJumpSortLinksAndOnlyUsefulDropDowns() async throws {
        try await withTestApp(demo: .small) { app in
            let session = try await TestUsers.session(app, "chengdu")
            let all = try await registry.list(app, "", as: "chengdu")
            #expect(all.pageCount >= 3, "the small demo's city fills several pages")
            let html = try await review.page(app, "/teachers?stage=primarySecondary&sort=school&page=2", session)
            #expect(html.contains("<table class=\"list sticky-head registry\">"))
            #expect(html.contains("<th aria-sort=\"ascending\"><a href=\"/teachers?stage=primarySecondary&amp;sort=school&amp;order=desc\" class=\"sort\""))
            #expect(html.contains("<th aria-sort=\"none\"><a href=\"/teachers?stage=primarySecondary&amp;sort=name\" class=\"sort\""))
            #expect(html.contains("<strong aria-current=\"page\">2</strong>"))
            #expect(html.contains("<a href=\"/teachers?stage=primarySecondary&amp;sort=school\">1</a>"))
            #expect(html.contains("<form method=\"get\" action=\"/teachers\" class=\"jump\"><input type=\"hidden\" name=\"stage\" value=\"primarySecondary\"><input type=\"hidden\" name=\"sort\" value=\"school\">"))
            #expect(html.contains("<input type=\"number\" name=\"page\" min=\"1\" max=\""))
            #expect(html.contains("href=\"/teachers/export?stage=primarySecondary&amp;sort=school&amp;format=xlsx\""), "the download keeps the order")

            // A jump past the end shows the last page; a mistyped number is said back.
            let last = try await review.page(app, "/teachers?page=99999", session)
            #expect(last.contains("<strong aria-current=\"page\">\(all.pageCount)</strong>") && last.contains("<td class=\"school wrap\">"))
            try await app.testing().test(.GET, "/teachers?page=%E7%AC%AC2%E9%A1%B5&sort=name", headers: session.headers) { response in
                #expect(response.status == .badRequest)
                #expect(response.body.string.contains("<p class=\"alert\">页码应为整数，收到的是“第2页”</p>"))
            }
            try await app.testing().test(.GET, "/teachers?sort=id", headers: session.headers) { response in
                #expect(response.status == .badRequest && response.body.string.contains("排序参数无效"))
            }

            // A county: its schools suggested, no region drop-down (one choice); a city: none listed.
            let county = try await review.page(app, "/teachers", try await TestUsers.session(app, "jinjiang"))
            #expect(county.contains("list=\"county-schools\"") && county.contains("<datalist id=\"county-schools\"><option value=\""))
            #expect(!county.contains("name=\"region\""))
            #expect(!html.contains("<datalist"))
        }
    }

    @Test func theWorklistHasPageNumbersAndAJumpThatKeepsItsTabAndSize() async throws {
        try await withTestApp(demo: .small) { app in
            let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").sort(\.$id).first()!
            _ = try await IntegrationTests().importList(app, school: school.name)
            let b = try await IntegrationBatchModel.query(on: app.db).first()!.id!
            let session = try await TestUsers.session(app, "jinjiang")
            let html = try await review.page(app, "/integration/\(b)?status=pending&perPage=1&page=2", session)
            #expect(html.contains("<strong aria-current=\"page\">2</strong>"))
            #expect(html.contains("<a href=\"/integration/\(b)?county=510104&amp;status=pending&amp;perPage=1&amp;page=4\">4</a>"))
            #expect(html.contains("<input type=\"hidden\" name=\"county\" value=\"510104\"><input type=\"hidden\" name=\"status\" value=\"pending\"><input type=\"hidden\" name=\"perPage\" value=\"1\">"))
            #expect(html.contains("rel=\"prev\"") && html.contains("rel=\"next\""))
            #expect(html.contains("选中本页全部待核实人员（1 人）"), "select this page is this page's rows")
            let beyond = try await review.page(app, "/integration/\(b)?perPage=1&page=77", session)
            #expect(beyond.contains("<strong aria-current=\"page\">4</strong>"))
            try await app.testing().test(.GET, "/integration/\(b)?perPage=lots", headers: session.headers) { response in
                #expect(response.status == .badRequest && response.body.string.contains("每页人数应为整数"))
            }
        }
    }

    @Test func aLongSchoolNameWrapsInItsCellAndHostileTextIsEscaped() async throws {
        try await withTestApp(demo: .small) { app in
            let long = String(repeating: "四川省成都市锦江区某某镇中心小学附属幼儿园", count: 4) + "<script>alert(1)</script>"
            let school = try await SchoolModel.query(on: app.db).filter(\.$countyCode == "510104").sort(\.$id).first()!
            _ = try await IntegrationTests().importList(app, school: school.name)
            let b = try await IntegrationBatchModel.query(on: app.db).first()!.id!
            try await app.sql.update(IntegrationEntryModel.schema).set("school", to: long).where("county_code", .equal, "510104").run()
            let html = try await review.page(app, "/integration/\(b)", try await TestUsers.session(app, "jinjiang"))
            #expect(html.contains("<td class=\"school wrap\" data-label=\"所在学校\">" + String(long.prefix(20))))
            #expect(!html.contains("<script>alert(1)</script>") && html.contains("&lt;script&gt;"))
            #expect(html.contains("<td class=\"person wrap\" data-label=\"教师姓名\">张伟</td>"))
        }
    }
}
