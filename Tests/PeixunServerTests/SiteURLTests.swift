import Fluent
import Foundation
import PeixunCore
import Testing
import VaporTesting
@testable import PeixunServer

/// `SiteURL` names every route the app serves, and every link and form on the pages goes to one.
@Suite struct SiteURLTests {
    @Test func theRegisteredRoutesAreExactlySiteURLsRoutes() async throws {
        try await withTestApp(users: false) { app in
            let registered = app.routes.all.map { "\($0.method.rawValue) /" + $0.path.map(\.description).joined(separator: "/") }
            let listed = SiteURL.allRoutes.map(\.description)
            #expect(Set(listed).count == listed.count, "SiteURL.allRoutes lists a route twice")
            #expect(Set(registered).count == registered.count, "a route is registered twice")
            for route in Set(registered).subtracting(listed).sorted() {
                Issue.record("\(route) is registered without a SiteURL case in SiteURL.allRoutes")
            }
            for route in Set(listed).subtracting(registered).sorted() {
                Issue.record("\(route) is in SiteURL.allRoutes but nothing registers it")
            }
        }
    }

    @Test func linksFillInParametersAndQueries() {
        #expect(SiteURL.home.path == "/")
        #expect(SiteURL.teachers(.teacher(.value(42))).path == "/teachers/42")
        #expect(SiteURL.teachers(.teacher(.key)).pattern == "/teachers/:teacherID")
        #expect(SiteURL.teachers(.teacher(.key)).pathComponents == ["teachers", .parameter("teacherID")])
        #expect(SiteURL.reports(.progress(year: 2016, region: "510100")).path == "/reports/progress?year=2016&region=510100")
        #expect(SiteURL.reports(.progress(year: 2016, region: nil, format: "xlsx")).path == "/reports/progress?year=2016&format=xlsx")
        #expect(SiteURL.reports(.untrainedTeachers(.value(7), year: 2016, page: 1)).path == "/reports/progress/schools/7/untrained?year=2016")
        #expect(SiteURL.reports(.untrainedTeachers(.value(7), year: 2016, page: 2)).path == "/reports/progress/schools/7/untrained?year=2016&page=2")
        #expect(SiteURL.integration(.decide(.value(3), .sendBackCity)).path == "/integration/3/send-back-city")
        #expect(SiteURL.imports(.errors(.statistics, .value(9))).path == "/statistics/import/9/errors.xlsx")
        // Query values are percent-encoded whatever they hold: a `next` stays one parameter.
        #expect(SiteURL.accounts(.login(next: "/reports/progress?year=2016&region=1")).path
            == "/login?next=%2Freports%2Fprogress%3Fyear%3D2016%26region%3D1")
        #expect(SiteURL.projects(.page(added: "中国移动 <1>")).path == "/projects?added=%E4%B8%AD%E5%9B%BD%E7%A7%BB%E5%8A%A8%20%3C1%3E")
        #expect(SiteURL.audit(.page).path(adding: [URLQueryItem(name: "page", value: "2")]) == "/audit?page=2")
    }

    /// The upload page's script polls the progress API by a path of its own (public files are
    /// not templates); it must still be the one `SiteURL` registers.
    @Test func theImportScriptPollsTheRegisteredProgressPath() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = try String(contentsOf: sources.appendingPathComponent("Sources/PeixunServer/Resources/Public/js/import.js"), encoding: .utf8)
        let prefix = SiteURL.imports(.progress(.value("TOKEN"))).path.replacingOccurrences(of: "TOKEN", with: "")
        #expect(script.contains("'\(prefix)'"), "import.js should poll \(prefix)…")
    }

    /// Every page a province, city, county or teacher user reaches from the home page, and the
    /// login page: each link and form goes to a registered route, and each link opens.
    @Test func everyLinkAndFormOnThePagesGoesToARoute() async throws {
        try await withTestApp(demo: .small) { app in
            // Something on every kind of page: a batch with an entry in 锦江区 and one nobody
            // could place, and a pending transfer into 锦江区.
            let batch = try await makeIntegrationBatch(app)
            for county in ["510104", nil] {
                let entry = IntegrationEntryModel()
                entry.batchID = batch.id!
                entry.countyCode = county
                entry.cityCode = county.map { _ in "510100" }
                entry.sequence = 1
                entry.name = "链接测试教师"
                entry.residentID = ResidentID.completing(body: county == nil ? "51010419800101002" : "51010419800101001").value
                entry.status = "pending"
                entry.added = false
                try await entry.create(on: app.db)
            }
            let teacher = try #require(try await TeacherModel.query(on: app.db).filter(\.$countyCode == "510105").first())
            let transfer = TransferModel()
            transfer.teacherID = teacher.id!
            transfer.fromSchoolID = teacher.$school.id
            transfer.fromCountyCode = "510105"
            transfer.fromCityCode = "510100"
            transfer.toCountyCode = "510104"
            transfer.toCityCode = "510100"
            transfer.status = TransferModel.Status.pending.rawValue
            transfer.requestedBy = "test"
            transfer.requestedAt = Date()
            try await transfer.create(on: app.db)
            let teacherUser = try await TestUsers.createTeacherUser(app, teacher: teacher)

            var crawler = LinkCrawler(app: app, headers: [:])
            try await crawler.crawl(from: [SiteURL.accounts(.login()).path])
            for username in ["sheng", "chengdu", "jinjiang", teacherUser.username] {
                crawler = LinkCrawler(app: app, headers: try await TestUsers.session(app, username).headers)
                try await crawler.crawl(from: [SiteURL.home.path])
                #expect(crawler.pagesRead >= (username == teacherUser.username ? 2 : 15), "\(username) read only \(crawler.pagesRead) pages")
            }
        }
    }
}

/// Follows the links of the app's pages, breadth first, reading at most two pages per route.
struct LinkCrawler {
    let app: Application
    let headers: HTTPHeaders
    private(set) var pagesRead = 0
    private var visited: Set<String> = []
    private var perRoute: [String: Int] = [:]

    init(app: Application, headers: HTTPHeaders) {
        self.app = app
        self.headers = headers
    }

    /// The registered route a method and path reach, as "GET /teachers/:teacherID"; like the
    /// router, a constant beats a parameter (/teachers/new is not a teacher).
    func routeServing(_ method: HTTPMethod, _ target: String) -> String? {
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        let parts = path.split(separator: "/").map(String.init)
        let matches = app.routes.all.filter { route in
            route.method == method && route.path.count == parts.count && zip(route.path, parts).allSatisfy { component, part in
                switch component {
                case .constant(let text): text == part
                case .parameter: true
                case .anything, .catchall: false
                }
            }
        }
        let constants = { (route: Route) in route.path.filter { if case .constant = $0 { true } else { false } }.count }
        return matches.max { constants($0) < constants($1) }.map { "\($0.method.rawValue) /" + $0.path.map(\.description).joined(separator: "/") }
    }

    mutating func crawl(from start: [String]) async throws {
        var queue = start.map { (target: $0, from: "start") }
        while !queue.isEmpty {
            let (target, from) = queue.removeFirst()
            guard visited.insert(target).inserted else { continue }
            guard let route = routeServing(.GET, target) else {
                Issue.record("\(from) links to \(target), which no route serves")
                continue
            }
            guard perRoute[route, default: 0] < 2 else { continue }
            perRoute[route, default: 0] += 1
            var page: String?
            var location: String?
            try await app.testing().test(.GET, target, headers: headers) { response in
                #expect([.ok, .seeOther, .found].contains(response.status), "\(from) → GET \(target): \(response.status)")
                location = response.headers.first(name: .location)
                if response.headers.contentType == .html { page = response.body.string }
            }
            if let location, location.hasPrefix("/") { queue.append((location, target)) }
            guard let page else { continue }
            pagesRead += 1
            for link in Self.links(in: page) {
                #expect(!link.target.isEmpty, "\(target) has a \(link.method) link or form with no address")
                guard link.target.hasPrefix("/"), !link.target.hasPrefix("/css/"), !link.target.hasPrefix("/js/") else { continue }
                if link.method == .GET {
                    queue.append((link.target, target))
                } else {
                    #expect(routeServing(link.method, link.target) != nil, "\(target) has a form that posts to \(link.target), which no route serves")
                }
            }
        }
    }

    /// The targets of `<a href>` and `<form action>` (with the form's method), unescaped.
    static func links(in html: String) -> [(method: HTTPMethod, target: String)] {
        let tags = try! Regex(#"<(a|form)\b([^>]*)>"#)
        let attribute = { (name: String, in: Substring) -> String? in
            let pattern = try! Regex("\\b\(name)=\"([^\"]*)\"")
            return `in`.firstMatch(of: pattern).map { String($0.output[1].substring ?? "") }
        }
        return html.matches(of: tags).compactMap { match in
            let tag = match.output[1].substring ?? ""
            let attributes = match.output[2].substring ?? ""
            guard let target = attribute(tag == "a" ? "href" : "action", attributes) else { return nil }
            let method: HTTPMethod = tag == "form" && attribute("method", attributes)?.lowercased() == "post" ? .POST : .GET
            let unescaped = target.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#39;", with: "'")
                .replacingOccurrences(of: "&quot;", with: "\"")
            return (method, unescaped)
        }
    }
}
