import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// Public verification answers from a per-instance cache for a few seconds: a change made by
/// this instance shows at once, one made elsewhere (another instance, the command line) within
/// the cache's lifetime, and a signed-in visitor never gets an anonymous visitor's page.
@Suite struct VerificationCacheTests {
    func status(_ app: Application, token: String) async throws -> String {
        var status = ""
        try await app.testing().test(.GET, "/api/v1/verify/\(token)") { status = try $0.content.decode(VerificationDTO.self).status }
        return status
    }

    func page(_ app: Application, token: String, headers: HTTPHeaders = [:]) async throws -> String {
        var text = ""
        try await app.testing().test(.GET, "/verify/\(token)", headers: headers) { response in
            #expect(response.status == .ok)
            #expect(response.headers.contentType == .html)
            text = response.body.string
        }
        return text
    }

    @Test func aRevocationHereShowsAtOnceAndOneElsewhereWithinTheLifetime() async throws {
        try await withTestApp(demo: .small) { app in
            let clock = FixedClock(CertificateTests.issueDay)
            app.clock = clock
            _ = try await CertificateTests().issue(app, region: "510104")
            let certificates = try await CertificateModel.query(on: app.db).sort(\.$number).range(..<2).all()
            let (here, elsewhere) = (certificates[0], certificates[1])
            for certificate in certificates {
                #expect(try await status(app, token: certificate.token) == "valid")
                #expect(try await page(app, token: certificate.token).contains("本证书真实有效"))
            }

            // Revoked through this instance: the cache is emptied with the change.
            _ = try await CertificateTests().post(app, "/api/v1/certificates/\(here.number)/revoke", as: "sheng",
                                                  ["reason": "培训记录经核查不实"], decoding: CertificateDTO.self)
            #expect(try await status(app, token: here.token) == "revoked")
            #expect(try await page(app, token: here.token).contains("培训记录经核查不实"))

            // Revoked by another process writing to the same database: this instance answers from
            // its cache until the lifetime has passed, then reads the change. (The revocation above
            // emptied the cache, so the certificate is looked up once more first.)
            #expect(try await status(app, token: elsewhere.token) == "valid")
            #expect(try await page(app, token: elsewhere.token).contains("本证书真实有效"))
            try await app.sql.raw("""
                UPDATE certificates SET status = 'revoked', revoked_on = '2017-03-31', revoked_reason = '另一实例撤销'
                WHERE id = \(bind: elsewhere.id!)
                """).run()
            clock.set(clock.now().addingTimeInterval(app.verificationCache.lifetime - 1))
            #expect(try await status(app, token: elsewhere.token) == "valid")
            #expect(try await page(app, token: elsewhere.token).contains("本证书真实有效"))
            clock.set(clock.now().addingTimeInterval(2))
            #expect(try await status(app, token: elsewhere.token) == "revoked")
            #expect(try await page(app, token: elsewhere.token).contains("另一实例撤销"))
        }
    }

    @Test func aSignedInVisitorGetsItsOwnPageAndUnknownTokensAreNotKept() async throws {
        try await withTestApp(demo: .small) { app in
            app.clock = FixedClock(CertificateTests.issueDay)
            _ = try await CertificateTests().issue(app, region: "510104")
            let certificate = try #require(try await CertificateModel.query(on: app.db).first())
            let anonymous = try await page(app, token: certificate.token)
            #expect(try await page(app, token: certificate.token) == anonymous, "the second anonymous visit gets the kept page")
            let user = try await UserModel.query(on: app.db).filter(\.$username == "sheng").first()!
            let session = try await TestUsers.session(app, "sheng")
            let signedIn = try await page(app, token: certificate.token, headers: session.headers)
            #expect(signedIn.contains(user.displayName) && !anonymous.contains(user.displayName))
            #expect(try await page(app, token: certificate.token) == anonymous, "the signed-in page was not kept for others")

            let unknown = VerificationToken.random().value
            try await app.testing().test(.GET, "/api/v1/verify/\(unknown)") { #expect($0.status == .notFound) }
            #expect(app.verificationCache.entry(token: unknown, now: app.clock.now()) == nil)
            #expect(app.verificationCache.entry(token: certificate.token, now: app.clock.now()) != nil)
        }
    }

    @Test func theLifetimeIsConfiguredInWholeSecondsUpToAMinute() throws {
        #expect(try AppConfig.fromEnvironment([:]).verificationCacheSeconds == 5)
        #expect(try AppConfig.fromEnvironment(["PEIXUN_VERIFY_CACHE_SECONDS": "0"]).verificationCacheSeconds == 0)
        for bad in ["61", "-1", "nan", "2.5", ""] {
            #expect(throws: AppConfig.Invalid.self) { try AppConfig.fromEnvironment(["PEIXUN_VERIFY_CACHE_SECONDS": bad]) }
        }
        // Nothing kept when the lifetime is 0.
        let cache = VerificationCache(lifetime: 0)
        let now = Date(timeIntervalSince1970: 1_500_000_000)
        cache.store(token: "a", answer: VerificationDTO(status: "valid", statusLabel: "有效", number: "20175101040000011", issuedOn: "2017-03-31",
                                                        holder: "张*", programme: "提升工程", issuer: "执行办", replacedBy: nil, revokedOn: nil,
                                                        revokedReason: nil), generation: cache.currentGeneration, now: now)
        #expect(cache.entry(token: "a", now: now) == nil)
    }

    @Test func aFullCacheStartsAfreshAndAChangeDropsAnswersReadBeforeIt() {
        let cache = VerificationCache(lifetime: 5, capacity: 2)
        let now = Date(timeIntervalSince1970: 1_500_000_000)
        let answer = VerificationDTO(status: "valid", statusLabel: "有效", number: "20175101040000011", issuedOn: "2017-03-31",
                                     holder: "张*", programme: "提升工程", issuer: "执行办", replacedBy: nil, revokedOn: nil, revokedReason: nil)
        let generation = cache.currentGeneration
        cache.store(token: "a", answer: answer, generation: generation, now: now)
        cache.store(token: "b", answer: answer, generation: generation, now: now)
        cache.store(token: "c", answer: answer, generation: generation, now: now)
        #expect(cache.entry(token: "a", now: now) == nil && cache.entry(token: "c", now: now) != nil)
        // Read from the database before a change, stored after it: dropped.
        let before = cache.currentGeneration
        cache.invalidate()
        cache.store(token: "d", answer: answer, generation: before, now: now)
        #expect(cache.entry(token: "d", now: now) == nil && cache.entry(token: "c", now: now) == nil)
        #expect(cache.entry(token: "e", now: now.addingTimeInterval(10)) == nil)
    }

    /// Kept pages for anonymous visitors are bounded by their bytes, not only by their count.
    @Test func keptPagesAreBoundedByBytesAndTheBoundIsConfigured() throws {
        #expect(try AppConfig.fromEnvironment([:]).verificationCacheMegabytes == 64)
        #expect(try AppConfig.fromEnvironment(["PEIXUN_VERIFY_CACHE_MB": "8"]).verificationCacheMegabytes == 8)
        for bad in ["0", "1025", "-1", "2.5", "", "六十四"] {
            #expect(throws: AppConfig.Invalid.self) { try AppConfig.fromEnvironment(["PEIXUN_VERIFY_CACHE_MB": bad]) }
        }
        let cache = VerificationCache(lifetime: 5, capacity: 100, byteCapacity: 1_000)
        let now = Date(timeIntervalSince1970: 1_500_000_000)
        let answer = VerificationDTO(status: "valid", statusLabel: "有效", number: "20175101040000011", issuedOn: "2017-03-31",
                                     holder: "张*", programme: "提升工程", issuer: "执行办", replacedBy: nil, revokedOn: nil, revokedReason: nil)
        func page(_ size: Int) -> ByteBuffer { ByteBuffer(repeating: 0x61, count: size) }
        let generation = cache.currentGeneration
        cache.store(token: "a", answer: answer, anonymousPage: page(400), generation: generation, now: now)
        cache.store(token: "b", answer: answer, anonymousPage: page(400), generation: generation, now: now)
        #expect(cache.keptBytes == 800)
        // Storing the same token again counts its page once.
        cache.store(token: "b", answer: answer, anonymousPage: page(400), generation: generation, now: now)
        #expect(cache.keptBytes == 800 && cache.entry(token: "a", now: now) != nil)
        // Over the bound: starts afresh with the new page only.
        cache.store(token: "c", answer: answer, anonymousPage: page(400), generation: generation, now: now)
        #expect(cache.keptBytes == 400)
        #expect(cache.entry(token: "a", now: now) == nil && cache.entry(token: "c", now: now)?.anonymousPage?.readableBytes == 400)
        // A page larger than the whole bound is not kept; its answer is.
        cache.store(token: "d", answer: answer, anonymousPage: page(1_001), generation: generation, now: now)
        #expect(cache.entry(token: "d", now: now)?.anonymousPage == nil && cache.entry(token: "d", now: now)?.answer.number == answer.number)
        #expect(cache.keptBytes == 400)
        // An expired entry gives its bytes back; so does a change.
        #expect(cache.entry(token: "c", now: now.addingTimeInterval(6)) == nil)
        #expect(cache.keptBytes == 0)
        cache.store(token: "e", answer: answer, anonymousPage: page(300), generation: generation, now: now)
        cache.invalidate()
        #expect(cache.keptBytes == 0)
    }
}
