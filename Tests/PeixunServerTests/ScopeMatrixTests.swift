import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// Every route, for every role: nothing from outside the user's subtree comes back, and
/// nothing changes without a CSRF token. The routes are `SiteURL.allRoutes`, which
/// `SiteURLTests` holds equal to what the app registers, so a new route is covered (or, with
/// a new kind of path parameter, fails here until it is).
@Suite struct ScopeMatrixTests {
    /// For each user: names that must never appear in what it is shown, and ids outside its reach.
    struct Outside {
        let forbiddenText: [String]
        let schoolID: Int
        let teacherID: Int
        let userID: Int
        /// An upload made by somebody else.
        var uploadID = 0
        /// A transfer between two counties outside the user's reach.
        var transferID = 99_999_999
        /// A qualified-list entry at a county outside the user's reach.
        var entryID = 99_999_999
        /// A certificate issued in a county outside the user's reach.
        var certificateNumber = "20175101050000019"
        /// A reissue request at a county outside the user's reach, and a round of a city outside it.
        var reissueRequestID = 99_999_999
        var reissueRoundID = 99_999_999
        /// A job of somebody else's, a snapshot of a city outside the user's reach, a proposed list it may not see.
        var jobID = 99_999_999
        var snapshotID = 99_999_999
        var proposalID = 99_999_999
    }

    @Test func noRouteLeaksOutOfScopeDataOrChangesStateWithoutCSRF() async throws {
        try await withTestApp(demo: .small) { app in
            struct Row: Decodable { let id: Int }
            func firstID(_ table: String, county: String) async throws -> Int {
                let row = try await app.sql.raw("SELECT id FROM \(ident: table) WHERE county_code = \(bind: county) ORDER BY id LIMIT 1").first(decoding: Row.self)
                return row!.id
            }
            let users = Dictionary(uniqueKeysWithValues: try await UserModel.query(on: app.db).all().map { ($0.username, $0.id!) })
            let qingyangSchool = try await firstID("schools", county: "510105")
            let qingyangTeacher = try await firstID("teachers", county: "510105")
            let zigongSchool = try await firstID("schools", county: "510302")
            let zigongTeacher = try await firstID("teachers", county: "510302")
            var outside: [String: Outside] = [
                "sheng": Outside(forbiddenText: [], schoolID: 99_999_999, teacherID: 99_999_999, userID: users["sheng"]!),
                "chengdu": Outside(forbiddenText: ["自贡市", "zigong", "凉山彝族自治州"], schoolID: zigongSchool, teacherID: zigongTeacher, userID: users["zigong"]!),
                "zigong": Outside(forbiddenText: ["成都市", "锦江区", "jinjiang"], schoolID: qingyangSchool, teacherID: qingyangTeacher, userID: users["chengdu"]!),
                "jinjiang": Outside(forbiddenText: ["青羊区", "qingyang", "自贡市"], schoolID: qingyangSchool, teacherID: qingyangTeacher, userID: users["qingyang"]!),
                "pingshen": Outside(forbiddenText: ["成都市", "锦江区", "自贡市"], schoolID: qingyangSchool, teacherID: qingyangTeacher, userID: users["jinjiang"]!),
                "jigou": Outside(forbiddenText: ["成都市", "锦江区", "自贡市"], schoolID: qingyangSchool, teacherID: qingyangTeacher, userID: users["jinjiang"]!),
            ]
            let outOfScopeRegion: [String: String] = ["chengdu": "510300", "zigong": "510104", "jinjiang": "510105", "pingshen": "510104", "jigou": "510104"]

            // An upload by the province user, which nobody else may see or commit.
            let upload = ImportUploadModel()
            upload.userID = users["sheng"]!
            upload.kind = "teachers"
            upload.fileName = "成都市名册.csv"
            upload.sha256 = ""
            upload.content = Data("县(市、区),所在学校,教师姓名,身份证号码\n".utf8)
            upload.createSchools = false
            upload.createdAt = Date()
            try await upload.create(on: app.db)
            for key in Array(outside.keys) { outside[key]!.uploadID = upload.id! }
            outside["sheng"]!.uploadID = 99_999_999

            // Pending transfers that only the counties at either end (and their cities) may see.
            let withinZigong = try await Self.transfer(app, teacher: zigongTeacher, school: zigongSchool, from: "510302", to: "510303")
            let withinChengdu = try await Self.transfer(app, teacher: qingyangTeacher, school: qingyangSchool, from: "510105", to: "510106")
            outside["chengdu"]!.transferID = withinZigong
            for key in ["zigong", "jinjiang", "pingshen", "jigou"] { outside[key]!.transferID = withinChengdu }

            // A qualified list with one entry in 青羊区 and one in 自流井区.
            let batch = try await Self.batch(app)
            let qingyangEntry = try await Self.entry(app, batch: batch, county: "510105", name: "青羊区名单教师", body: "51010519800101001")
            let zigongEntry = try await Self.entry(app, batch: batch, county: "510302", name: "自流井区名单教师", body: "51030219800101001")
            outside["chengdu"]!.entryID = zigongEntry
            for key in ["zigong", "jinjiang", "pingshen", "jigou"] { outside[key]!.entryID = qingyangEntry }

            // Certificates in 青羊区 and 自流井区.
            _ = try await CertificateIssuance(application: app, actor: .commandLine).issue(regionCode: "510105")
            _ = try await CertificateIssuance(application: app, actor: .commandLine).issue(regionCode: "510302")
            let qingyangCertificate = try await CertificateModel.query(on: app.db).filter(\.$countyCode == "510105").first()!.number
            let zigongCertificate = try await CertificateModel.query(on: app.db).filter(\.$countyCode == "510302").first()!.number
            outside["chengdu"]!.certificateNumber = zigongCertificate
            for key in ["zigong", "jinjiang", "pingshen", "jigou"] { outside[key]!.certificateNumber = qingyangCertificate }

            // Reissue requests for those certificates, each in its city's round.
            let qingyangRequest = try await Self.reissueRequest(app, qingyangCertificate)
            let zigongRequest = try await Self.reissueRequest(app, zigongCertificate)
            outside["chengdu"]!.reissueRequestID = zigongRequest.request
            outside["chengdu"]!.reissueRoundID = zigongRequest.round
            outside["zigong"]!.reissueRoundID = qingyangRequest.round
            outside["jinjiang"]!.reissueRoundID = zigongRequest.round
            for key in ["pingshen", "jigou"] { outside[key]!.reissueRoundID = qingyangRequest.round }
            for key in ["zigong", "jinjiang", "pingshen", "jigou"] { outside[key]!.reissueRequestID = qingyangRequest.request }

            // Jobs are their owner's and the province's; snapshots their city's; proposed lists the province's.
            let jinjiangJob = try await Self.job(app, owner: "jinjiang", region: "510104")
            outside["jinjiang"]!.jobID = try await Self.job(app, owner: "qingyang", region: "510105")
            for key in ["chengdu", "zigong", "pingshen", "jigou"] { outside[key]!.jobID = jinjiangJob }
            let chengduSnapshot = try await Self.snapshot(app, city: "510100")
            let zigongSnapshot = try await Self.snapshot(app, city: "510300")
            for key in ["chengdu", "jinjiang"] { outside[key]!.snapshotID = zigongSnapshot }
            for key in ["zigong", "pingshen", "jigou"] { outside[key]!.snapshotID = chengduSnapshot }
            let proposal = try await Self.proposal(app, by: "sheng", county: "510104", name: "锦江区拟定名单教师")
            for key in ["chengdu", "zigong", "jinjiang", "pingshen", "jigou"] { outside[key]!.proposalID = proposal }

            let routes = SiteURL.allRoutes
            #expect(routes.count >= 15, "the matrix should see every route")
            var checked = 0
            for (username, reach) in outside {
                checked += try await Self.walk(routes, app: app, as: username, reach: reach, outOfScopeRegion: outOfScopeRegion[username])
            }
            #expect(checked == routes.count * outside.count)
        }
    }

    /// Walks every route as `username`: GETs aimed at `outOfScopeRegion` show none of the
    /// forbidden names (and progress pages answer 404), changes without a CSRF token are refused
    /// with nothing written, and changes aimed at ids outside its reach answer 404. Returns the
    /// number of routes checked.
    static func walk(_ routes: [SiteRoute], app: Application, as username: String, reach: Outside,
                     outOfScopeRegion: String?) async throws -> Int {
        var checked = 0
        let session = try await TestUsers.session(app, username)
        for route in routes {
            var path = ""
            for component in route.url.pathComponents {
                switch component {
                case .constant(let text): path += "/" + text
                case .parameter("schoolID"): path += "/\(reach.schoolID)"
                case .parameter("teacherID"): path += "/\(reach.teacherID)"
                case .parameter("userID"): path += "/\(reach.userID)"
                case .parameter("uploadID"): path += "/\(reach.uploadID)"
                case .parameter("transferID"): path += "/\(reach.transferID)"
                case .parameter("token"): path += "/progress-of-somebody-else"
                case .parameter("entryID"): path += "/\(reach.entryID)"
                case .parameter("number"): path += "/\(reach.certificateNumber)"
                case .parameter("requestID"): path += "/\(reach.reissueRequestID)"
                case .parameter("roundID"): path += "/\(reach.reissueRoundID)"
                // Batches are province-wide; what is scoped is each county's part (IntegrationTests).
                case .parameter("batchID"): path += "/99999999"
                case .parameter("proposalID"): path += "/\(reach.proposalID)"
                case .parameter("snapshotID"): path += "/\(reach.snapshotID)"
                case .parameter("jobID"): path += "/\(reach.jobID)"
                // A plan's year, and a county or city outside the user's reach (none for the province).
                case .parameter("year"): path += "/2017"
                case .parameter("regionCode"): path += "/" + (outOfScopeRegion ?? "999999")
                case .parameter(let name):
                    Issue.record("route \(route) has parameter :\(name) that the scope matrix does not know; add it")
                    path += "/1"
                case .anything, .catchall: path += "/x"
                }
            }
            if path.isEmpty { path = "/" }
            let auditBefore = try await AuditEntryModel.query(on: app.db).count()
            let usersBefore = try await UserModel.query(on: app.db).filter(\.$disabled == true).count()
            if route.method == .GET {
                var target = path
                if let region = outOfScopeRegion { target += "?region=\(region)&year=2016" }
                // The project catalogue names every project's pilot regions: reference data all staff read.
                let catalogue = if case .projects = route.url { true } else { false }
                let aimedAtSomething = route.url.pathComponents.contains {
                    if case .parameter(let name) = $0 { !["year", "regionCode"].contains(name) } else { false }
                }
                try await app.testing().test(.GET, target, headers: session.headers) { response in
                    if aimedAtSomething {
                        #expect(response.status == .notFound, "\(username) GET \(target) → \(response.status)")
                    }
                    for text in reach.forbiddenText where !(catalogue && app.regions.resolve(text).region != nil) {
                        #expect(!response.body.string.contains(text), "\(username) GET \(target) showed \(text)")
                    }
                    if outOfScopeRegion != nil, route.url.segments.contains("progress") {
                        #expect(response.status == .notFound, "\(username) GET \(target) → \(response.status)")
                    }
                }
            } else {
                // A browser session without the CSRF token: refused, nothing written.
                try await app.testing().test(route.method, path, headers: session.headers, beforeRequest: { request in
                    try request.content.encode(["username": "x", "password": "y", "role": "county", "displayName": "x", "regionCode": "510104"], as: .urlEncodedForm)
                }) { response in
                    #expect(response.status == .forbidden, "\(username) \(route.method) \(path) without CSRF → \(response.status)")
                }
                #expect(try await AuditEntryModel.query(on: app.db).count() == auditBefore, "\(route.method) \(path) wrote an audit row")
                #expect(try await UserModel.query(on: app.db).filter(\.$disabled == true).count() == usersBefore)
                // With the token but aimed outside the user's reach: not found (or not permitted at all).
                if route.url.pathComponents.contains(where: { if case .parameter = $0 { true } else { false } }) {
                    try await app.testing().test(route.method, path, headers: session.headers, beforeRequest: { request in
                        try request.content.encode(["_csrf": session.csrf], as: .urlEncodedForm)
                    }) { response in
                        #expect(response.status == .notFound || response.status == .conflict && username == "sheng",
                                "\(username) \(route.method) \(path) → \(response.status)")
                        for text in reach.forbiddenText { #expect(!response.body.string.contains(text)) }
                    }
                }
            }
            checked += 1
        }
        return checked
    }

    @Test func aCountyUserSeesOnlyItsCountyEverywhere() async throws {
        try await withTestApp(demo: .small) { app in
            let report = try await report(app, region: nil, as: "jinjiang")
            #expect(report.region.code == "510104")
            #expect(report.rowLevel == "school")
            let session = try await TestUsers.session(app, "jinjiang")
            try await app.testing().test(.GET, "/reports/progress?year=2016", headers: session.headers) { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("锦江区"))
                #expect(!response.body.string.contains(">四川省<"))
            }
            for region in ["510000", "510100", "510105", "513401"] {
                try await app.testing().test(.GET, "/api/v1/reports/progress?year=2016&region=\(region)", headers: session.headers) { response in
                    #expect(response.status == .notFound)
                    #expect(response.body.string.contains("不存在"))
                }
            }
        }
    }

    @Test func unauthenticatedPagesRedirectAndTheAPIAnswers401() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/reports/progress?year=2016") { response in
                #expect(response.status == .seeOther)
                #expect(response.headers.first(name: .location) == "/login?next=%2Freports%2Fprogress%3Fyear%3D2016")
            }
            try await app.testing().test(.GET, "/api/v1/reports/progress?year=2016") { response in
                #expect(response.status == .unauthorized)
                #expect(response.body.string.contains("\"code\":\"unauthorized\""))
            }
            try await app.testing().test(.GET, "/api/v1/users", headers: ["Authorization": "Bearer nonsense"]) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func everyResponseCarriesTheSecurityHeaders() async throws {
        try await withTestApp { app in
            for path in [SiteURL.accounts(.login()).path, SiteURL.healthz.path, "/nowhere", SiteURL.reports(.apiProgress()).path] {
                try await app.testing().test(.GET, path) { response in
                    #expect(response.headers.first(name: "Content-Security-Policy")?.contains("script-src 'self'") == true, "\(path)")
                    #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
                    #expect(response.headers.first(name: "X-Frame-Options") == "DENY")
                    #expect(response.headers.first(name: "Referrer-Policy") == "same-origin")
                }
            }
        }
    }
}
