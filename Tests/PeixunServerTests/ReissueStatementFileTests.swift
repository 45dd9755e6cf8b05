import Fluent
import Foundation
import PeixunCore
import Testing
import VaporTesting
@testable import PeixunServer

/// 情况说明 scans: attached (API body or the desk's form), served only to those who see the
/// request, replaced until the county checks it; hostile files are refused and nothing is kept.
/// And the province's send-back of ticked counties from a city's desk.
@Suite struct ReissueStatementFileTests {
    let base = ReissueTests()

    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D]) + Data("IHDR scan".utf8)
    static let pdf = Data("%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n".utf8)
    /// A Windows program renamed .pdf.
    static let exe = Data([0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00]) + Data(repeating: 0x41, count: 256)

    /// The scan as the body, its name in X-File-Name; the answer's status and text.
    func upload(_ app: Application, _ id: Int, _ bytes: Data, name: String, type: String = "application/octet-stream",
                as username: String, status: HTTPStatus) async throws -> String {
        var headers = try await TestUsers.bearer(app, username)
        headers.add(name: "X-File-Name", value: name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "."))) ?? name)
        headers.replaceOrAdd(name: .contentType, value: type)
        var text = ""
        try await app.testing().test(.POST, "/api/v1/reissue/requests/\(id)/statement", headers: headers,
                                     beforeRequest: { $0.body = ByteBuffer(data: bytes) }) { response in
            #expect(response.status == status, "\(name) as \(username): \(response.body.string)")
            text = response.body.string
        }
        return text
    }

    /// The desk's form: text and a file (either may be left out), with the session's token.
    func form(_ app: Application, _ id: Int, text: String?, file: (name: String, bytes: Data)?, session: TestUsers.BrowserSession,
              status: HTTPStatus) async throws -> HTTPHeaders {
        let boundary = "peixun-statement-\(UUID().uuidString)"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(session.csrf)\r\n".utf8)
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n\(text ?? "")\r\n".utf8)
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(file?.name ?? "")\"\r\nContent-Type: application/pdf\r\n\r\n".utf8)
        body += (file?.bytes ?? Data()) + Data("\r\n--\(boundary)--\r\n".utf8)
        var headers = session.headers
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        var answer = HTTPHeaders()
        try await app.testing().test(.POST, "/reissue/requests/\(id)/statement", headers: headers,
                                     beforeRequest: { $0.body = ByteBuffer(data: body) }) { response in
            #expect(response.status == status, "\(response.body.string.prefix(400))")
            answer = response.headers
        }
        return answer
    }

    func download(_ app: Application, _ id: Int, as username: String) async throws -> (HTTPStatus, HTTPHeaders, Data) {
        var result: (HTTPStatus, HTTPHeaders, Data) = (.internalServerError, [:], Data())
        try await app.testing().test(.GET, "/reissue/requests/\(id)/statement/file", headers: try await TestUsers.bearer(app, username)) { response in
            result = (response.status, response.headers, Data(buffer: response.body))
        }
        return result
    }

    func leftovers(_ app: Application) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: app.uploads.directory.path)) ?? []).filter { $0.hasPrefix("upload-") }
    }

    @Test func aScanIsAttachedReplacedUntilTheCheckAndServedOnlyToThoseWhoSeeTheRequest() async throws {
        try await withTestApp(demo: .small) { app in
            let setup = try await base.setUp(app)
            let created = try #require(try await base.request(app, setup.certificate.number, as: setup.teacherUser))
            // No institution runs the teacher's projects: the county attaches the stamped scan (the body is the file).
            let first = try base.decode(ReissueRequestDTO.self, try await upload(app, created.id, Self.png, name: "锦江区说明.png", as: "jinjiang", status: .ok))
            #expect(first.status == "check" && first.statement == nil && first.statementFile?.fileName == "锦江区说明.png")
            #expect(first.statementFile?.type == "png" && first.statementFile?.url == "/reissue/requests/\(created.id)/statement/file")
            #expect(first.mayState, "the county may still replace it before its check")

            // Everyone who sees the request downloads it, as an attachment of the type its bytes have.
            let other = try #require(try await TeacherModel.query(on: app.db).filter(\.$countyCode == "510104").filter(\.$id != setup.teacher.id!).first())
            let otherTeacher = try await TestUsers.createTeacherUser(app, teacher: other)
            for user in [setup.teacherUser, "jinjiang", "chengdu", "sheng"] {
                let (status, headers, bytes) = try await download(app, created.id, as: user)
                #expect(status == .ok && bytes == Self.png, "\(user)")
                #expect(headers.contentType == .png && headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(headers.first(name: .contentDisposition)?.hasPrefix("attachment; filename=\"statement-\(created.id).png\"") == true)
            }
            for user in ["qingyang", "zigong", "pingshen", "jigou", otherTeacher.username] {
                let (status, _, bytes) = try await download(app, created.id, as: user)
                #expect(status == .notFound && bytes != Self.png, "\(user) must not reach another's scan")
            }

            // The desk's form replaces the scan and adds the typed text; the desk links the scan.
            let session = try await TestUsers.session(app, "jinjiang")
            let location = try await form(app, created.id, text: "经核实，该教师证书遗失属实。", file: ("说明（盖章）.PDF", Self.pdf), session: session, status: .seeOther)
            #expect(location.first(name: .location)?.removingPercentEncoding?.contains("扫描件 说明（盖章）.pdf") == true)
            let stored = try #require(try await ReissueStatementFileModel.find(created.id, on: app.db))
            #expect(stored.content == Self.pdf && stored.fileType == "pdf" && stored.uploadedBy == "jinjiang")
            try await app.testing().test(.GET, "/reissue", headers: session.headers) { response in
                #expect(response.text.contains("enctype=\"multipart/form-data\"") && response.text.contains("更换情况说明"))
                #expect(response.text.contains("href=\"/reissue/requests/\(created.id)/statement/file\""))
            }
            // Typed text alone later keeps the scan.
            let typed = try #require(try await base.step(app, created.id, "statement", as: "jinjiang", ["text": "补充：学校已出具证明。"]))
            #expect(typed.statement == "补充：学校已出具证明。" && typed.statementFile?.type == "pdf")

            // Once the county has checked the request, the statement is fixed.
            _ = try await base.step(app, created.id, "accept", as: "jinjiang")
            let locked = try await upload(app, created.id, Self.png, name: "新.png", as: "jinjiang", status: .conflict)
            #expect(locked.contains("reissue.statement_locked") && locked.contains("县级审核后"))
            _ = try await base.step(app, created.id, "statement", as: "jinjiang", ["text": "再改一次说明文字"], status: .conflict)
            #expect(try await ReissueStatementFileModel.find(created.id, on: app.db)?.content == Self.pdf)

            let audit = try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "reissue_request")
                .filter(\.$objectID == String(created.id)).filter(\.$action == "update").sort(\.$id).all()
            #expect(audit.count == 3)
            #expect(audit.first?.summary.hasPrefix("出具补发申请 #\(created.id) 的情况说明：扫描件 锦江区说明.png") == true)
            #expect(audit.dropFirst().first?.summary.contains("更换补发申请") == true && audit.dropFirst().first?.summary.contains("说明（盖章）.pdf") == true)
            #expect(leftovers(app).isEmpty)
        }
    }

    @Test func hostileScansAreRefusedInChineseAndNothingIsKept() async throws {
        try await withTestApp(demo: .small) { app in
            let setup = try await base.setUp(app)
            _ = try await CertificateIssuance(application: app, actor: .commandLine).issue(regionCode: "510105")
            let qingyang = try #require(try await CertificateModel.query(on: app.db).filter(\.$countyCode == "510105").first())
            let created = try #require(try await base.request(app, setup.certificate.number, as: setup.teacherUser))
            let theirs = try #require(try await base.request(app, qingyang.number, as: "qingyang"))
            let auditBefore = try await AuditEntryModel.query(on: app.db).count()

            let renamed = try await upload(app, created.id, Self.exe, name: "说明.pdf", type: "application/pdf", as: "jinjiang", status: .unprocessableEntity)
            #expect(renamed.contains("statement_file.type") && renamed.contains("PDF、JPG 或 PNG") && renamed.contains("说明.pdf"))
            let empty = try await upload(app, created.id, Data(), name: "说明.pdf", as: "jinjiang", status: .unprocessableEntity)
            #expect(empty.contains("statement_file.empty") && empty.contains("空的"))
            let oversized = Self.pdf + Data(repeating: 0x20, count: StatementFileType.maximumBytes + 1 - Self.pdf.count)
            let tooBig = try await upload(app, created.id, oversized, name: "大.pdf", as: "jinjiang", status: .payloadTooLarge)
            #expect(tooBig.contains("statement_file.too_large") && tooBig.contains("10 MB"))
            // Another county's request: not found, before its body is read.
            _ = try await upload(app, theirs.id, Self.pdf, name: "说明.pdf", as: "jinjiang", status: .notFound)
            _ = try await upload(app, created.id, Self.pdf, name: "说明.pdf", as: "chengdu", status: .forbidden)

            // The desk's form: the same refusals; a form with neither text nor file says what is missing.
            let session = try await TestUsers.session(app, "jinjiang")
            _ = try await form(app, created.id, text: nil, file: ("setup.pdf", Self.exe), session: session, status: .unprocessableEntity)
            _ = try await form(app, created.id, text: nil, file: ("空.pdf", Data()), session: session, status: .unprocessableEntity)
            _ = try await form(app, created.id, text: nil, file: nil, session: session, status: .unprocessableEntity)
            _ = try await form(app, theirs.id, text: "五个字以上的说明", file: ("说明.pdf", Self.pdf), session: session, status: .notFound)
            // Without the form's token: refused before anything is kept.
            let stranger = TestUsers.BrowserSession(headers: session.headers, csrf: "not-the-token")
            _ = try await form(app, created.id, text: "五个字以上的说明", file: ("说明.pdf", Self.pdf), session: stranger, status: .forbidden)

            #expect(try await ReissueStatementFileModel.query(on: app.db).count() == 0)
            #expect(try await ReissueRequestModel.find(created.id, on: app.db)?.storedStatus == "statement")
            #expect(try await ReissueRequestModel.find(theirs.id, on: app.db)?.storedStatus == "statement")
            #expect(try await AuditEntryModel.query(on: app.db).count() == auditBefore)
            #expect(leftovers(app).isEmpty, "\(leftovers(app))")
        }
    }

    /// A scan for a request the user cannot see or may no longer change is refused before its
    /// body is read: not a byte reaches the upload folder (its modification time stays put).
    @Test func aRefusedScanNeverReachesTheUploadFolder() async throws {
        try await withTestApp(demo: .small) { app in
            let setup = try await base.setUp(app)
            _ = try await CertificateIssuance(application: app, actor: .commandLine).issue(regionCode: "510105")
            let qingyang = try #require(try await CertificateModel.query(on: app.db).filter(\.$countyCode == "510105").first())
            let theirs = try #require(try await base.request(app, qingyang.number, as: "qingyang"))
            let mine = try #require(try await base.request(app, setup.certificate.number, as: setup.teacherUser))
            _ = try await base.step(app, mine.id, "statement", as: "jinjiang", ["text": "本县核实，证书遗失属实。"])
            _ = try await base.step(app, mine.id, "accept", as: "jinjiang")

            let folder = app.uploads.directory.path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let past = Date(timeIntervalSince1970: 1_000_000_000)
            try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: folder)
            let large = Self.pdf + Data(repeating: 0x20, count: StatementFileType.maximumBytes - Self.pdf.count)
            let session = try await TestUsers.session(app, "jinjiang")

            let raw = try await upload(app, theirs.id, large, name: "说明.pdf", as: "jinjiang", status: .notFound)
            #expect(!raw.contains("说明.pdf") && !raw.contains("qingyang"))
            _ = try await form(app, theirs.id, text: "五个字以上的说明", file: ("说明.pdf", large), session: session, status: .notFound)
            // Its own request after the county's check: refused by its state, also before the body.
            _ = try await upload(app, mine.id, large, name: "说明.pdf", as: "jinjiang", status: .conflict)
            _ = try await form(app, mine.id, text: nil, file: ("说明.pdf", large), session: session, status: .conflict)
            // The city may not write statements at all.
            _ = try await upload(app, theirs.id, large, name: "说明.pdf", as: "chengdu", status: .forbidden)

            let attributes = try FileManager.default.attributesOfItem(atPath: folder)
            #expect(attributes[.modificationDate] as? Date == past, "a file was made (and removed) in the upload folder")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
            #expect(try await ReissueStatementFileModel.query(on: app.db).count() == 0)
            #expect(try await ReissueRequestModel.find(theirs.id, on: app.db)?.storedStatus == "statement")
        }
    }

    @Test func theProvinceSendsBackTickedCountiesFromTheCityDesk() async throws {
        try await withTestApp(demo: .small) { app in
            let setup = try await base.setUp(app)
            _ = try await CertificateIssuance(application: app, actor: .commandLine).issue(regionCode: "510105")
            let qingyang = try #require(try await CertificateModel.query(on: app.db).filter(\.$countyCode == "510105").first())
            let mine = try #require(try await base.request(app, setup.certificate.number, as: "jinjiang"))
            let theirs = try #require(try await base.request(app, qingyang.number, as: "qingyang"))
            let round = mine.roundID
            for (id, county) in [(mine.id, "jinjiang"), (theirs.id, "qingyang")] {
                _ = try await base.step(app, id, "statement", as: county, ["text": "本县核实，证书遗失属实。"])
                _ = try await base.step(app, id, "accept", as: county)
                _ = try await base.decide(app, round: round, "submit", as: county)
            }
            _ = try await base.decide(app, round: round, "submit", as: "chengdu")

            let province = try await TestUsers.session(app, "sheng")
            try await app.testing().test(.GET, "/reissue?region=510100", headers: province.headers) { response in
                #expect(response.text.contains("id=\"send-back-city\"") && response.text.contains("data-confirm=\"退回成都市的补发申请？"))
                #expect(response.text.contains("name=\"counties[]\" value=\"510105\" form=\"send-back-city\""))
            }
            // The city's own desk offers no ticking (it does not send itself back).
            try await app.testing().test(.GET, "/reissue", headers: try await TestUsers.session(app, "chengdu").headers) { response in
                #expect(!response.text.contains("name=\"counties[]\""))
            }
            // A county outside the round: said, nothing changes.
            struct SendBack: Content { let reason: String; let counties: [String] }
            try await app.testing().test(.POST, "/api/v1/reissue/rounds/\(round)/send-back", headers: try await TestUsers.bearer(app, "sheng"), beforeRequest: {
                try $0.content.encode(SendBack(reason: "材料不全", counties: ["510105", "510302"]), as: .json)
            }) { response in
                #expect(response.status == .unprocessableEntity && response.body.string.contains("自流井区 没有参加成都市这一轮补发"))
            }
            #expect(try await base.overview(app, as: "chengdu").state == "submitted")

            let body = "_csrf=\(province.csrf)&reason=%E9%9D%92%E7%BE%8A%E5%8C%BA%E6%9D%90%E6%96%99%E4%B8%8D%E5%85%A8&counties%5B%5D=510105"
            var headers = province.headers
            headers.replaceOrAdd(name: .contentType, value: "application/x-www-form-urlencoded")
            try await app.testing().test(.POST, "/reissue/rounds/\(round)/send-back", headers: headers, beforeRequest: { $0.body = ByteBuffer(string: body) }) { response in
                #expect(response.status == .seeOther, "\(response.body.string)")
                let location = response.headers.first(name: .location)?.removingPercentEncoding ?? ""
                #expect(location.hasPrefix("/reissue?region=510100&notice="), "the province stays on the city's desk: \(location)")
                #expect(location.contains("已退回成都市的补发申请，青羊区一并退回（原因：青羊区材料不全）"), "\(location)")
            }
            let back = try await base.overview(app, as: "chengdu")
            #expect(back.state == "returned")
            #expect(back.units.first { $0.code == "510105" }?.state == "returned" && back.units.first { $0.code == "510104" }?.state == "submitted")
        }
    }
}
