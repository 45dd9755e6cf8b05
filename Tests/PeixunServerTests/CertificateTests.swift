import Fluent
import Foundation
import PeixunCore
import PeixunDocuments
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// 结业证书: issuing (repeatable, race-free), frozen content, public verification, the teacher's
/// own page, revocation and the title-evaluation check.
@Suite struct CertificateTests {
    static let issueDay = CivilDate(year: 2017, month: 3, day: 31)!

    struct Counts: Decodable { let teachers: Int; let eligible: Int }

    func counts(_ app: Application, county: String) async throws -> Counts {
        try await app.sql.raw("""
            SELECT COUNT(*) AS teachers, COALESCE(SUM(CASE WHEN first_passed_year IS NOT NULL THEN 1 ELSE 0 END), 0) AS eligible
            FROM teachers WHERE county_code = \(bind: county)
            """).first(decoding: Counts.self)!
    }

    func post<T: Decodable>(_ app: Application, _ path: String, as username: String, _ body: [String: String] = [:],
                            status: HTTPStatus = .ok, decoding: T.Type = T.self) async throws -> T? {
        let headers = try await TestUsers.bearer(app, username)
        var result: T?
        try await app.testing().test(.POST, path, headers: headers, beforeRequest: { try $0.content.encode(body, as: .json) }) { response in
            #expect(response.status == status, "\(path) as \(username): \(response.body.string)")
            if response.status == .ok { result = try response.content.decode(T.self) }
        }
        return result
    }

    func issue(_ app: Application, region: String, as username: String = "sheng", status: HTTPStatus = .ok) async throws -> CertificateIssuance.Outcome? {
        try await post(app, "/api/v1/certificates/issue", as: username, ["region": region], status: status)
    }

    @Test func issuingGivesEachEligibleTeacherOneNumberedCertificateAndIsRepeatable() async throws {
        try await withTestApp(demo: .small) { app in
            app.clock = FixedClock(Self.issueDay)
            let expected = try await counts(app, county: "510104")
            #expect(expected.eligible > 0 && expected.eligible < expected.teachers)
            let first = try #require(try await issue(app, region: "510104"))
            #expect(first == .init(issued: expected.eligible, alreadyIssued: 0, notEligible: expected.teachers - expected.eligible))
            let again = try #require(try await issue(app, region: "510104"))
            #expect(again == .init(issued: 0, alreadyIssued: expected.eligible, notEligible: expected.teachers - expected.eligible))

            let certificates = try await CertificateModel.query(on: app.db).sort(\.$number).all()
            #expect(certificates.count == expected.eligible)
            #expect(Set(certificates.map(\.teacherID)).count == expected.eligible)
            #expect(Set(certificates.map(\.token)).count == expected.eligible)
            let numbers = certificates.compactMap { CertificateNumber(parsing: $0.number) }
            #expect(numbers.map(\.serial) == Array(1...expected.eligible))
            #expect(numbers.allSatisfy { $0.year == 2017 && $0.countyCode == "510104" })
            let snapshot = try certificates[0].snapshot()
            #expect(snapshot.issuedOn == Self.issueDay && !snapshot.completed.isEmpty && snapshot.region == "四川省成都市锦江区")
            #expect(snapshot.verificationURL.hasSuffix("/verify/" + certificates[0].token))
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action == "certificate_issue").count() == 1)

            // A new passed record makes one more teacher eligible; issuing again issues exactly that one.
            let untrained = try #require(try await TeacherModel.query(on: app.db).filter(\.$countyCode == "510104").filter(\.$firstPassedYear == nil).first())
            let project = try #require(try await ProjectModel.query(on: app.db).first())
            try await TrainingLedger(database: app.db).record([.init(teacherID: untrained.id!, projectID: project.id!, year: 2017, result: .passed)])
            let more = try #require(try await issue(app, region: "510104"))
            #expect(more.issued == 1 && more.alreadyIssued == expected.eligible)
            let newest = try #require(try await CertificateModel.query(on: app.db).filter(\.$teacherID == untrained.id!).first())
            #expect(CertificateNumber(parsing: newest.number)?.serial == expected.eligible + 1)
        }
    }

    @Test func twoIssuersAtOnceIssueEachTeacherExactlyOnce() async throws {
        try await withTestApp(demo: .small) { app in
            let city = try await app.sql.raw("""
                SELECT COALESCE(SUM(CASE WHEN first_passed_year IS NOT NULL THEN 1 ELSE 0 END), 0) AS eligible, COUNT(*) AS teachers
                FROM teachers WHERE city_code = '510100'
                """).first(decoding: Counts.self)!
            let issuance = CertificateIssuance(application: app, actor: .commandLine)
            async let first = issuance.issue(regionCode: "510100")
            async let second = issuance.issue(regionCode: "510100")
            let (a, b) = try await (first, second)
            #expect(a.issued + b.issued == city.eligible)
            #expect(try await CertificateModel.query(on: app.db).count() == city.eligible)
            struct Distinct: Decodable { let n: Int }
            let distinct = try await app.sql.raw("SELECT COUNT(DISTINCT teacher_id) AS n FROM certificates").first(decoding: Distinct.self)!.n
            #expect(distinct == city.eligible)
            // The database refuses a second valid certificate for a teacher, whatever the code does.
            let existing = try #require(try await CertificateModel.query(on: app.db).first())
            await #expect(throws: (any Error).self) {
                try await app.sql.raw("""
                    INSERT INTO certificates (number, token, teacher_id, county_code, city_code, status, snapshot, issued_on, issued_at)
                    VALUES ('x', 'y', \(bind: existing.teacherID), \(bind: existing.countyCode), \(bind: existing.cityCode), 'valid', '{}', '2017-01-01', \(bind: Date()))
                    """).run()
            }
        }
    }

    @Test func onlyTheProvinceIssuesUnlessConfiguredAndListsAreScoped() async throws {
        try await withTestApp(demo: .small) { app in
            _ = try await issue(app, region: "510104", as: "jinjiang", status: .forbidden)
            _ = try await issue(app, region: "510104", as: "chengdu", status: .forbidden)
            _ = try await issue(app, region: "510105", as: "jinjiang", status: .notFound)
            _ = try await issue(app, region: "510104", as: "pingshen", status: .notFound)
            _ = try await issue(app, region: "510104")
            let headers = try await TestUsers.bearer(app, "qingyang")
            try await app.testing().test(.GET, "/api/v1/certificates?region=510104", headers: headers) { #expect($0.status == .notFound) }
            let own = try await TestUsers.bearer(app, "jinjiang")
            try await app.testing().test(.GET, "/api/v1/certificates?region=510104", headers: own) { response in
                let list = try response.content.decode(CertificatesController.ListDTO.self)
                #expect(list.total > 0 && list.certificates.count == min(50, list.total))
            }
            let number = try #require(try await CertificateModel.query(on: app.db).first()).number
            try await app.testing().test(.GET, "/certificates/\(number)/pdf", headers: headers) { #expect($0.status == .notFound) }
            try await app.testing().test(.GET, "/certificates/\(number)/pdf", headers: own) { response in
                #expect(response.status == .ok && response.headers.contentType?.subType == "pdf")
                #expect(response.body.readableBytes > 5_000)
            }
        }
        var settings = CertificateSettings()
        settings.localIssuing = true
        #expect(CertificateIssuance.mayIssue(role: .county, scope: .county("510104"), regionCode: "510104", settings: settings, regions: .sichuan))
        #expect(!CertificateIssuance.mayIssue(role: .county, scope: .county("510104"), regionCode: "510105", settings: settings, regions: .sichuan))
        #expect(CertificateIssuance.mayIssue(role: .city, scope: .city("510100"), regionCode: "510104", settings: settings, regions: .sichuan))
        #expect(!CertificateIssuance.mayIssue(role: .reviewer, scope: .none, regionCode: "510104", settings: settings, regions: .sichuan))
    }

    @Test func whatACertificateStatesIsFrozenWhenIssued() async throws {
        try await withTestApp(demo: .small) { app in
            app.clock = FixedClock(Self.issueDay)
            _ = try await issue(app, region: "510104")
            let certificate = try #require(try await CertificateModel.query(on: app.db).sort(\.$number).first())
            let before = try CertificateDocument.pdf(try certificate.snapshot())
            let teacher = try #require(try await TeacherModel.find(certificate.teacherID, on: app.db))
            let original = teacher.name
            teacher.name = "改名后"
            try await teacher.save(on: app.db)
            app.clock = FixedClock(CivilDate(year: 2018, month: 6, day: 1)!)
            let reread = try #require(try await CertificateModel.find(certificate.id, on: app.db))
            #expect(try reread.snapshot().teacherName == original)
            #expect(try CertificateDocument.pdf(try reread.snapshot()) == before)
            try await app.testing().test(.GET, "/api/v1/verify/\(certificate.token)") { response in
                let answer = try response.content.decode(VerificationDTO.self)
                #expect(answer.holder == original.maskedPersonName && answer.issuedOn == "2017-03-31")
            }
        }
    }

    @Test func anyoneVerifiesByTokenOrByNumberAndNameAndLearnsNoMore() async throws {
        try await withTestApp(demo: .small) { app in
            _ = try await issue(app, region: "510104")
            let certificate = try #require(try await CertificateModel.query(on: app.db).sort(\.$number).first())
            let name = try certificate.snapshot().teacherName
            try await app.testing().test(.GET, "/verify/\(certificate.token)") { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("有效") && response.text.contains(certificate.number) && response.text.contains(name.maskedPersonName))
                #expect(!response.text.contains(name))
            }
            try await app.testing().test(.GET, "/api/v1/verify/\(certificate.token.uppercased())") { response in
                let answer = try response.content.decode(VerificationDTO.self)
                #expect(answer.status == "valid" && answer.number == certificate.number && answer.replacedBy == nil)
                #expect(!response.text.contains(name) && !response.text.contains("resident"))
            }
            for bad in [String(repeating: "a", count: 26), "abc", "../../etc/passwd", String(repeating: "z", count: 5_000)] {
                try await app.testing().test(.GET, "/api/v1/verify/\(bad.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)") { #expect($0.status == .notFound) }
            }
            let form = "/verify?number=\(certificate.number)&name=\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
            try await app.testing().test(.GET, form) { #expect($0.status == .ok && $0.text.contains("本证书真实有效")) }
            let wrongName = "/verify?number=\(certificate.number)&name=%E5%BC%A0%E4%B8%89"
            try await app.testing().test(.GET, wrongName) { #expect($0.status == .notFound && $0.text.contains("未找到编号与姓名相符的证书")) }
            var typo = Array(certificate.number)
            typo[12] = typo[12] == "9" ? "8" : "9"
            try await app.testing().test(.GET, "/verify?number=\(String(typo))&name=x") { #expect($0.status == .badRequest && $0.text.contains("17 位")) }
            try await app.testing().test(.GET, "/verify") { #expect($0.status == .ok && $0.text.contains("按编号和姓名核验")) }
        }
    }

    @Test func verificationIsRateLimitedPerAddress() async throws {
        try await withTestApp(demo: .small) { app in
            app.verificationThrottle = VerificationThrottle(perMinute: 6)
            let clock = FixedClock(Self.issueDay)
            app.clock = clock
            _ = try await issue(app, region: "510104")
            let certificate = try #require(try await CertificateModel.query(on: app.db).first())
            var statuses: [UInt] = []
            for _ in 0..<8 {
                try await app.testing().test(.GET, "/api/v1/verify/\(certificate.token)") { statuses.append($0.status.code) }
            }
            #expect(statuses == [200, 200, 200, 200, 200, 200, 429, 429])
            try await app.testing().test(.GET, "/verify?number=\(certificate.number)&name=x") { #expect($0.status == .notFound) }
            try await app.testing().test(.GET, "/verify?number=\(certificate.number)&name=x") { #expect($0.status == .tooManyRequests) }
            // The next minute starts a new allowance.
            clock.set(clock.now().addingTimeInterval(60))
            try await app.testing().test(.GET, "/api/v1/verify/\(certificate.token)") { #expect($0.status == .ok) }
        }
    }

    @Test func theProvinceRevokesWithAReasonAndVerificationSaysSo() async throws {
        try await withTestApp(demo: .small) { app in
            app.clock = FixedClock(Self.issueDay)
            _ = try await issue(app, region: "510104")
            let certificate = try #require(try await CertificateModel.query(on: app.db).first())
            let path = "/api/v1/certificates/\(certificate.number)/revoke"
            _ = try await post(app, path, as: "jinjiang", ["reason": "信息有误"], status: .forbidden, decoding: CertificateDTO.self)
            _ = try await post(app, path, as: "qingyang", ["reason": "信息有误"], status: .notFound, decoding: CertificateDTO.self)
            _ = try await post(app, path, as: "sheng", ["reason": " "], status: .unprocessableEntity, decoding: CertificateDTO.self)
            let revoked = try #require(try await post(app, path, as: "sheng", ["reason": "培训记录经核查不实"], decoding: CertificateDTO.self))
            #expect(revoked.status == "revoked" && revoked.revokedOn == "2017-03-31")
            _ = try await post(app, path, as: "sheng", ["reason": "再次撤销"], status: .conflict, decoding: CertificateDTO.self)
            try await app.testing().test(.GET, "/api/v1/verify/\(certificate.token)") { response in
                let answer = try response.content.decode(VerificationDTO.self)
                #expect(answer.status == "revoked" && answer.revokedReason == "培训记录经核查不实")
            }
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action == "certificate_revoke").count() == 1)
            // A revoked teacher is not issued a new certificate by the next bulk run.
            let again = try #require(try await issue(app, region: "510104"))
            #expect(again.issued == 0)
        }
    }

    @Test func aTeacherSeesItsCertificateOrWhyThereIsNone() async throws {
        try await withTestApp(demo: .small) { app in
            _ = try await issue(app, region: "510104")
            let certified = try #require(try await TeacherModel.query(on: app.db).filter(\.$countyCode == "510104").filter(\.$firstPassedYear != nil).first())
            let untrained = try #require(try await TeacherModel.query(on: app.db).filter(\.$countyCode == "510104").filter(\.$firstPassedYear == nil).first())
            let eligibleLater = try #require(try await TeacherModel.query(on: app.db).filter(\.$countyCode == "510105").filter(\.$firstPassedYear != nil).first())
            for teacher in [certified, untrained, eligibleLater] { _ = try await TestUsers.createTeacherUser(app, teacher: teacher) }

            let mine = try await TestUsers.bearer(app, certified.residentID)
            var number = ""
            try await app.testing().test(.GET, "/api/v1/me/certificates", headers: mine) { response in
                let dto = try response.content.decode(MyCertificatesController.MineDTO.self)
                #expect(dto.certificates.count == 1 && dto.certificates[0].status == "valid" && dto.eligible && dto.reasons.isEmpty)
                number = dto.certificates[0].number
            }
            try await app.testing().test(.GET, "/certificates/\(number)/pdf", headers: mine) { #expect($0.status == .ok) }
            try await app.testing().test(.GET, "/me/certificates", headers: mine) { response in
                #expect(response.status == .ok && response.text.contains(number) && response.text.contains("下载打印"))
            }

            let other = try await TestUsers.bearer(app, untrained.residentID)
            try await app.testing().test(.GET, "/certificates/\(number)/pdf", headers: other) { #expect($0.status == .notFound) }
            try await app.testing().test(.GET, "/api/v1/me/certificates", headers: other) { response in
                let dto = try response.content.decode(MyCertificatesController.MineDTO.self)
                #expect(dto.certificates.isEmpty && !dto.eligible)
                #expect(dto.reasons.first?.contains("至少 1 项合格的培训记录") == true)
                #expect(dto.contact.contains("成都市锦江区教育局"))
            }
            let waiting = try await TestUsers.bearer(app, eligibleLater.residentID)
            try await app.testing().test(.GET, "/api/v1/me/certificates", headers: waiting) { response in
                let dto = try response.content.decode(MyCertificatesController.MineDTO.self)
                #expect(dto.eligible && dto.reasons == ["您已符合结业条件，证书尚待省执行办统一签发，签发后即可在本页下载打印。"])
            }
        }
    }

    @Test func titleReviewersCheckIDAndNameAgainstThePolicyDate() async throws {
        try await withTestApp(demo: .small) { app in
            _ = try await issue(app, region: "510104")
            let certificate = try #require(try await CertificateModel.query(on: app.db).first())
            let holder = try #require(try await TeacherModel.find(certificate.teacherID, on: app.db))
            let untrained = try #require(try await TeacherModel.query(on: app.db).filter(\.$firstPassedYear == nil).first())
            func check(_ id: String, _ name: String, _ date: String, as user: String = "pingshen", status: HTTPStatus = .ok) async throws -> TitleCheck.Answer? {
                try await post(app, "/api/v1/title-check", as: user, ["residentId": id, "name": name, "applicationDate": date], status: status)
            }
            let yes = try #require(try await check(holder.residentID, holder.name, "2019-05-01"))
            #expect(yes.eligible && yes.certificates.map(\.number) == [certificate.number] && yes.certificates[0].status == "valid")
            let lowerX = try #require(try await check(holder.residentID.lowercased(), holder.name, "2019-05-01"))
            #expect(lowerX.eligible)
            let wrongName = try #require(try await check(holder.residentID, "张三", "2019-05-01"))
            #expect(!wrongName.eligible && wrongName.certificates.isEmpty)
            let none = try #require(try await check(untrained.residentID, untrained.name, "2019-05-01"))
            #expect(!none.eligible && none.reason.contains("尚未取得结业证书"))
            let early = try #require(try await check(untrained.residentID, untrained.name, "2018-12-31"))
            #expect(early.eligible && early.reason.contains("早于 2019-01-01"))
            _ = try await check("51010419900101123", holder.name, "2019-05-01", status: .unprocessableEntity)
            _ = try await check(holder.residentID, holder.name, "2019/05/01", status: .unprocessableEntity)
            _ = try await check(holder.residentID, holder.name, "2019-05-01", as: "jinjiang", status: .notFound)
            _ = try await check(holder.residentID, holder.name, "2019-05-01", as: "jigou", status: .notFound)
            let audited = try await AuditEntryModel.query(on: app.db).filter(\.$action == "title_check").all()
            #expect(audited.count == 5)
            #expect(audited.allSatisfy { !$0.summary.contains(holder.residentID) && !$0.summary.contains(untrained.residentID) })
        }
    }

    @Test func aReviewerChecksAWholeListAndGetsAWorkbookInTheSameOrder() async throws {
        try await withTestApp(demo: .small) { app in
            _ = try await issue(app, region: "510104")
            let certificate = try #require(try await CertificateModel.query(on: app.db).first())
            let holder = try #require(try await TeacherModel.find(certificate.teacherID, on: app.db))
            let untrained = try #require(try await TeacherModel.query(on: app.db).filter(\.$firstPassedYear == nil).first())
            let csv = """
                序号,姓名,身份证号码,申报日期
                1,\(holder.name),\(holder.residentID),2019-05-01
                2,\(untrained.name),\(untrained.residentID),2019-05-01
                3,\(untrained.name),\(untrained.residentID),2018-06-30
                4,张三,51010419900101123,2019-05-01
                5,\(holder.name),\(holder.residentID),2019年5月
                """
            let headers = try await TestUsers.bearer(app, "pingshen")
            var withName = headers
            withName.add(name: "X-File-Name", value: "applicants.csv")
            try await app.testing().test(.POST, "/api/v1/title-check/batch?applicationDate=2020-01-01", headers: withName,
                                         beforeRequest: { $0.body = ByteBuffer(string: csv) }) { response in
                #expect(response.status == .ok, "\(response.text)")
                let outcome = try response.content.decode(TitleCheckBatch.Outcome.self)
                #expect(outcome.rows == 5 && outcome.eligible == 2 && outcome.notEligible == 1 && outcome.unchecked == 2)
                #expect(outcome.lines.map(\.row) == [2, 3, 4, 5, 6])
                #expect(outcome.lines.map(\.eligible) == [true, false, true, nil, nil])
                #expect(outcome.lines[0].certificates.map(\.number) == [certificate.number])
                #expect(outcome.lines[3].reason.contains("第 5 行“身份证号码”"))
                #expect(outcome.lines[4].reason.contains("申报日期"))
                #expect(!response.text.contains(holder.residentID))
            }
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action == "title_check").count() == 3)
            // Not a reviewer: not found. Not a list: the file is refused with its name.
            var county = try await TestUsers.bearer(app, "jinjiang")
            county.add(name: "X-File-Name", value: "applicants.csv")
            try await app.testing().test(.POST, "/api/v1/title-check/batch", headers: county,
                                         beforeRequest: { $0.body = ByteBuffer(string: csv) }) { #expect($0.status == .notFound) }
            try await app.testing().test(.POST, "/api/v1/title-check/batch", headers: withName,
                                         beforeRequest: { $0.body = ByteBuffer(string: "a,b\n1,2\n") }) { response in
                #expect(response.status == .unprocessableEntity && response.text.contains("applicants.csv"))
            }

            // The page's form answers with the workbook; LibreOffice reads it back.
            let session = try await TestUsers.session(app, "pingshen")
            let boundary = "peixun-test-boundary"
            var body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(session.csrf)\r\n"
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"applicationDate\"\r\n\r\n2020-01-01\r\n"
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"名单.csv\"\r\nContent-Type: text/csv\r\n\r\n\(csv)\r\n--\(boundary)--\r\n"
            var formHeaders = session.headers
            formHeaders.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
            let directory = NSTemporaryDirectory() + "peixun-title-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try await app.testing().test(.POST, "/title-check/batch", headers: formHeaders, beforeRequest: { $0.body = ByteBuffer(string: body) }) { response in
                #expect(response.status == .ok, "\(response.text.prefix(300))")
                #expect(response.headers.contentType?.subType == "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                try Data(buffer: response.body).write(to: URL(fileURLWithPath: directory + "/result.xlsx"))
            }
            let rows = try convertToCSV(directory + "/result.xlsx", directory: directory)
            #expect(rows.count == 7)
            #expect(rows[1].prefix(5) == ["原行号", "姓名", "身份证号码", "申报日期", "结论"])
            #expect(rows[2][4] == "符合" && rows[3][4] == "不符合" && rows[5][4] == "无法核验")
            #expect(rows[2][2] == ResidentID(canonical: holder.residentID)!.masked)
        }
    }
}
