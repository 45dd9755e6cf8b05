import Fluent
import Foundation
import PeixunCore
import Testing
import VaporTesting
@testable import PeixunServer

/// What a teacher sees of a reissue statement's scan: 我的证书 links it (page and JSON).
@Suite struct ReissueStatementTeacherTests {
    let base = ReissueTests()
    let files = ReissueStatementFileTests()

    @Test func myCertificatesLinksTheStatementScanOfTheTeachersRequest() async throws {
        try await withTestApp(demo: .small) { app in
            let setup = try await base.setUp(app)
            let created = try #require(try await base.request(app, setup.certificate.number, as: setup.teacherUser))
            let session = try await TestUsers.session(app, setup.teacherUser)
            try await app.testing().test(.GET, "/me/certificates", headers: session.headers) { response in
                #expect(!response.text.contains("statement/file"), "no scan yet, no link")
            }
            // A name with characters a page must escape.
            _ = try await files.upload(app, created.id, ReissueStatementFileTests.png, name: "O'Brien & 说明.png", as: "jinjiang", status: .ok)
            let url = "/reissue/requests/\(created.id)/statement/file"
            try await app.testing().test(.GET, "/me/certificates", headers: session.headers) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("<a class=\"statement-file\" href=\"\(url)\" download>O&#39;Brien &amp; 说明.png</a>"),
                        "\(response.text)")
                #expect(response.text.contains("情况说明扫描件：") && response.text.contains("PNG 图片"))
            }
            try await app.testing().test(.GET, "/api/v1/me/certificates", headers: try await TestUsers.bearer(app, setup.teacherUser)) { response in
                let mine = try response.content.decode(MyCertificatesController.MineDTO.self)
                #expect(mine.requests.first?.statementFile?.url == url && mine.requests.first?.statementFile?.fileName == "O'Brien & 说明.png")
            }
            // The link works for the teacher.
            let (status, _, bytes) = try await files.download(app, created.id, as: setup.teacherUser)
            #expect(status == .ok && bytes == ReissueStatementFileTests.png)
        }
    }
}
