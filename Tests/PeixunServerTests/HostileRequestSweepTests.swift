import Fluent
import Foundation
import PeixunCore
import Testing
import VaporTesting
@testable import PeixunServer

/// Every registered route, as every role and as nobody, with what an attacker would send:
/// numbers far out of range, text that is not a number, 10,000-character strings, invalid
/// UTF-8, arrays and objects where one value is expected. Every answer is a 4xx (or a normal
/// answer) in the page or JSON error shape; never a 5xx, never a crash, and the server still
/// answers afterwards.
@Suite struct HostileRequestSweepTests {
    static let parameterNames = ["page", "perPage", "year", "region", "schoolID", "q", "status", "stage", "school", "county",
                                 "format", "from", "to", "action", "username", "next", "dryRun", "skipInvalid", "createSchools",
                                 "projectID", "deadline", "mode"]

    static let long = String(repeating: "长", count: 10_000)

    /// Query-string values, already percent-encoded as a client would send them.
    static let hostileValues = [
        "9223372036854775807", "-9223372036854775808", "99999999999999999999999", "-1", "0", "1e308", "NaN", "abc",
        "%FF%FE%FD", "%00", "%C0%AF", String(repeating: "%E9%95%BF", count: 10_000), "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ]

    static let hostilePathValues = ["9223372036854775807", "-1", "abc", "%FF%FE", "99999999999999999999999"]

    /// Bodies of every shape, sent as JSON or as a form.
    static func hostileBodies() -> [(HTTPMediaType, ByteBuffer)] {
        let fields = parameterNames + ["username", "password", "current", "confirm", "name", "residentID", "mobile", "displayName",
                                       "role", "regionCode", "reason", "note", "certificateNumber", "phone", "organiser", "startYear",
                                       "endYear", "pilotRegions", "toCounty", "toSchool", "ids", "_csrf"]
        func json(_ value: String) -> ByteBuffer {
            ByteBuffer(string: "{" + fields.map { "\"\($0)\": \(value)" }.joined(separator: ",") + "}")
        }
        var bodies: [(HTTPMediaType, ByteBuffer)] = [
            (.json, json("9223372036854775807999")), (.json, json("-1e400")), (.json, json("[1, 2, 3]")), (.json, json("{\"a\": [null]}")),
            (.json, json("\"" + long + "\"")), (.json, json("null")), (.json, ByteBuffer(string: "{\"unterminated\": ")),
            (.json, ByteBuffer(bytes: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D])),
            (.json, ByteBuffer(string: String(repeating: "[", count: 5_000))),
        ]
        for value in ["9223372036854775807", "-1", "abc", "%FF%FE", String(repeating: "%E9%95%BF", count: 2_000)] {
            bodies.append((.urlEncodedForm, ByteBuffer(string: fields.map { "\($0)=\(value)" }.joined(separator: "&"))))
        }
        bodies.append((.urlEncodedForm, ByteBuffer(string: fields.map { "\($0)[]=1&\($0)[]=2&\($0)[a][b]=3" }.joined(separator: "&"))))
        return bodies
    }

    func path(of route: Route, value: String) -> String {
        if route.path.isEmpty { return "/" }
        let joined = route.path.map { component -> String in
            switch component {
            case .constant(let text): text
            case .parameter, .anything, .catchall: value
            }
        }.joined(separator: "/")
        return "/" + joined
    }

    func checkShape(_ response: TestingHTTPResponse, _ what: String) {
        // The readiness probe's 503 is its answer ("the database did not answer in 2 s", which a test
        // machine running the whole suite can make true), in the probe's own JSON shape.
        if what.contains(" /readyz") {
            #expect([200, 503].contains(response.status.code), "\(what) → \(response.status)")
            #expect(response.body.string.contains("\"status\""), "\(what): \(response.body.string.prefix(200))")
            return
        }
        #expect(response.status.code < 500, "\(what) → \(response.status)")
        guard response.status.code >= 400 else { return }
        if what.contains(" /api/") {
            let body = try? JSONDecoder().decode(ErrorRenderingMiddleware.ErrorBody.self, from: Data(response.body.readableBytesView))
            #expect(body != nil && body!.error.message.isEmpty == false, "\(what): not the JSON error shape: \(response.body.string.prefix(200))")
        } else {
            #expect(response.headers.contentType?.subType == "html", "\(what): not an HTML page")
            #expect(response.body.string.contains("</html>"), "\(what): \(response.body.string.prefix(200))")
        }
    }

    /// Every query parameter alone with these; all of them at once with every hostile value.
    static let numericValues = ["9223372036854775807", "-9223372036854775808", "abc"]

    enum Caller: String, CaseIterable, Sendable {
        case anonymous, sheng, chengdu, jinjiang, jigou, pingshen, teacher
        /// Users who get past the first checks of most routes, and so reach their parameters.
        var reachesParameters: Bool { [.sheng, .chengdu, .jinjiang].contains(self) }
    }

    @Test(arguments: Caller.allCases)
    func noHostileRequestGetsA5xxOrStopsTheServer(caller: Caller) async throws {
        try await withTestApp(demo: .small) { app in
            var username: String? = caller == .anonymous ? nil : caller.rawValue
            if caller == .teacher {
                let teacher = try #require(try await TeacherModel.query(on: app.db).filter(\.$countyCode == "510104").first())
                username = try await TestUsers.createTeacherUser(app, teacher: teacher).username
            }
            let bodies = Self.hostileBodies()
            let routes = app.routes.all
            var sent = 0
            func send(_ method: HTTPMethod, _ target: String, _ headers: HTTPHeaders, body: ByteBuffer? = nil, _ what: String) async throws {
                try await app.testing().test(method, target, headers: headers, body: body) { response in
                    checkShape(response, "\(caller) \(method) \(target.prefix(120)) \(what)")
                }
                sent += 1
            }
            for route in routes {
                // A fresh token each time: some routes end the caller's token or sessions.
                var headers = HTTPHeaders()
                if let username { headers = try await TestUsers.bearer(app, username) }
                let hasParameters = route.path.contains { if case .constant = $0 { false } else { true } }
                let pathValues = hasParameters ? ["1"] + Self.hostilePathValues : ["-"]
                if route.method == .GET {
                    for value in pathValues {
                        try await send(.GET, path(of: route, value: value), headers, "")
                    }
                    let target = path(of: route, value: "1")
                    for hostile in Self.hostileValues {
                        let query = Self.parameterNames.map { "\($0)=\(hostile)" }.joined(separator: "&")
                        try await send(.GET, target + "?" + query, headers, "every parameter = \(hostile.prefix(30))")
                    }
                    try await send(.GET, target + "?page[]=1&page[]=2&year[a]=1&region[]=510104&q[]=x", headers, "arrays")
                    guard caller.reachesParameters else { continue }
                    for parameter in Self.parameterNames {
                        for hostile in Self.numericValues {
                            try await send(.GET, target + "?\(parameter)=\(hostile)", headers, "")
                        }
                    }
                } else {
                    for value in pathValues.prefix(2) {
                        for (type, body) in bodies {
                            var withType = headers
                            withType.contentType = type
                            try await send(route.method, path(of: route, value: value), withType, body: body, type.subType)
                        }
                    }
                }
            }
            #expect(sent > 1_000, "the sweep should be wide: \(sent) requests")
            try await app.testing().test(.GET, "/healthz") { response in
                #expect(response.status == .ok)
                #expect(response.body.string == "ok")
            }
        }
    }
}
