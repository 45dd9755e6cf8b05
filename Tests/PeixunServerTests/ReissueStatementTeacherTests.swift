import Fluent
import Foundation
import PeixunCore
import Testing
import VaporTesting
@testable import PeixunServer

/// What a teacher and the audit log see of a reissue statement's scan: 我的证书 links it (page
/// and JSON), and every download names who took which request's file.
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
                // A valid certificate: no "why not yet" box.
                #expect(!response.text.contains("证书尚未签发") && !response.text.contains("暂不能取得证书"))
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

    @Test func everyDownloadOfAStatementScanIsAudited() async throws {
        try await withTestApp(demo: .small) { app in
            let setup = try await base.setUp(app)
            let created = try #require(try await base.request(app, setup.certificate.number, as: setup.teacherUser))
            _ = try await files.upload(app, created.id, ReissueStatementFileTests.pdf, name: "锦江区说明.pdf", as: "jinjiang", status: .ok)
            func downloads() async throws -> [AuditEntryModel] {
                try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "reissue_request").filter(\.$objectID == String(created.id))
                    .filter(\.$action == "export").sort(\.$id).all()
            }
            #expect(try await downloads().isEmpty, "the upload itself is no download")
            for user in [setup.teacherUser, "jinjiang", "chengdu", "sheng"] {
                #expect(try await files.download(app, created.id, as: user).0 == .ok)
            }
            // Out of scope: not found, and nothing said about the file.
            #expect(try await files.download(app, created.id, as: "qingyang").0 == .notFound)
            let entries = try await downloads()
            #expect(entries.map(\.username) == [setup.teacherUser, "jinjiang", "chengdu", "sheng"])
            let size = ReissueStatementFileTests.pdf.count
            for entry in entries {
                #expect(entry.summary == "下载补发申请 #\(created.id) 的情况说明扫描件 锦江区说明.pdf（PDF，\(size) 字节）", "\(entry.summary)")
                #expect(entry.countyCode == "510104" && entry.cityCode == "510100" && entry.userID != nil)
            }
        }
    }
}
