import Fluent
import Foundation
import PeixunCore
import Testing
import VaporTesting
@testable import PeixunServer

/// 帮助 pages, and the idle-timeout warning's server side (the session's expiry is the truth).
@Suite struct HelpAndSessionTimeoutTests {
    @Test func helpPagesArePublicInChineseAndLinkedFromTheMenuAndTheWorkflowPages() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/help") { response in
                #expect(response.status == .ok)
                for topic in HelpTopic.allCases { #expect(response.text.contains("href=\"\(topic.url.path)\">\(topic.title)</a>")) }
            }
            for topic in HelpTopic.allCases {
                try await app.testing().test(.GET, topic.url.path) { response in
                    let html = response.text
                    #expect(response.status == .ok, "\(topic)")
                    #expect(html.contains("<h1>\(topic.title)</h1>"), "\(topic)")
                    for section in ["要做什么", "操作步骤", "状态说明", "常见提示及处理"] { #expect(html.contains("<h2>\(section)"), "\(topic) \(section)") }
                    #expect(!html.contains("<dt></dt>") && !html.contains("#("), "\(topic): no empty or unrendered field")
                    #expect(html.components(separatedBy: "<li><a href=\"/help/").count - 1 == HelpTopic.allCases.count - 1, "\(topic): the other topics")
                }
            }
            let county = try await TestUsers.session(app, "jinjiang")
            try await app.testing().test(.GET, "/teachers", headers: county.headers) { response in
                #expect(response.text.contains("href=\"/help\">帮助</a>"), "the menu")
                #expect(response.text.contains("class=\"help-link\" href=\"/help/teachers\""), "the page header")
            }
            try await app.testing().test(.GET, "/integration", headers: county.headers) { response in
                #expect(response.text.contains("class=\"help-link\" href=\"/help/integration\""))
            }
        }
    }

    @Test func theWarningReadsTheSessionsExpiryWhichOnlyUseExtends() async throws {
        try await withTestApp { app in
            let clock = FixedClock(Date())
            app.clock = clock
            let session = try await TestUsers.session(app, "jinjiang")
            let idle = Int(app.config.sessionIdleTimeout)
            func status() async throws -> SessionTimeoutController.StatusDTO {
                var result: SessionTimeoutController.StatusDTO?
                try await app.testing().test(.GET, "/api/v1/session/status", headers: session.headers) { response in
                    result = try response.content.decode(SessionTimeoutController.StatusDTO.self)
                }
                return try #require(result)
            }
            let start = try await status()
            #expect(start.signedIn && abs(start.expiresIn - idle) <= 2 && start.warnBefore == 300)

            // The page carries the same figure for the script.
            try await app.testing().test(.GET, "/teachers", headers: session.headers) { response in
                #expect(response.text.contains("data-session-expires-in=\"") && response.text.contains("src=\"/js/session-timeout.js\""))
            }
            // Asking does not extend the session.
            clock.set(clock.now().addingTimeInterval(Double(idle - 400)))
            #expect(abs(try await status().expiresIn - 400) <= 2)
            clock.set(clock.now().addingTimeInterval(120))
            #expect(abs(try await status().expiresIn - 280) <= 2)

            // 保持登录 needs the CSRF token, and starts the idle time again.
            try await app.testing().test(.POST, "/session/keep-alive", headers: session.headers) { response in
                #expect(response.status == .forbidden)
            }
            var headers = session.headers
            headers.add(name: "X-CSRF-Token", value: session.csrf)
            try await app.testing().test(.POST, "/session/keep-alive", headers: headers) { response in
                #expect(response.status == .ok)
                let kept = try response.content.decode(SessionTimeoutController.StatusDTO.self)
                #expect(kept.signedIn && abs(kept.expiresIn - idle) <= 2)
            }
            #expect(abs(try await status().expiresIn - idle) <= 2)

            // Past the end the session is gone, and the status says so.
            clock.set(clock.now().addingTimeInterval(Double(idle + 1)))
            let after = try await status()
            #expect(!after.signedIn && after.expiresIn == 0)
            try await app.testing().test(.GET, "/help") { response in
                #expect(!response.text.contains("data-session-expires-in"), "no session, no warning")
            }
        }
    }
}
