import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

/// What anyone may learn of a certificate: whether it is genuine and stands, never more of the
/// holder than a masked name.
struct VerificationDTO: Content, Equatable {
    let status: String
    let statusLabel: String
    let number: String
    let issuedOn: String
    let holder: String
    let programme: String
    let issuer: String
    /// For a superseded certificate: the number of the one that replaced it.
    let replacedBy: String?
    let revokedOn: String?
    let revokedReason: String?

    /// The answer for a token or a number, in one plain SQL query: public verification is the
    /// hottest path, and Fluent's model decoding (reflection over the properties) cost most of
    /// its time (bench/README.md, issue 14). `name`, when given, must be the holder's name.
    static func find(_ key: Key, on database: any SQLDatabase) async throws -> (VerificationDTO, holderName: String)? {
        struct Row: Decodable {
            let id: Int
            let number: String
            let status: String
            let snapshot: String
            let revoked_on: String?
            let revoked_reason: String?
            let replaced_by: String?
        }
        let condition: SQLQueryString = switch key {
        case .token(let token): "c.token = \(bind: token.value)"
        case .number(let number): "c.number = \(bind: number.value)"
        }
        guard let row = try await database.raw("""
            SELECT c.id, c.number, c.status, c.snapshot, c.revoked_on, c.revoked_reason, r.number AS replaced_by
            FROM certificates c LEFT JOIN certificates r ON r.id = c.superseded_by WHERE \(condition)
            """).first(decoding: Row.self) else { return nil }
        let status = try CertificateStatus.read(row.status, table: CertificateModel.schema, row: row.id, column: "status")
        let snapshot = try CertificateModel.decodeSnapshot(row.snapshot, row: row.id)
        return (VerificationDTO(status: status.rawValue, statusLabel: status.label, number: row.number,
                                issuedOn: snapshot.issuedOn.description, holder: snapshot.teacherName.maskedPersonName,
                                programme: snapshot.programme, issuer: snapshot.issuer, replacedBy: row.replaced_by,
                                revokedOn: row.revoked_on, revokedReason: row.revoked_reason), snapshot.teacherName)
    }

    enum Key {
        case token(VerificationToken)
        case number(CertificateNumber)
    }
}

/// Look-ups per address and minute, kept in memory: verification is public and must stay
/// fast (no database write per request); a token cannot be guessed anyway, and the number +
/// name form, which could be used to test guesses, gets the smaller allowance.
final class VerificationThrottle: @unchecked Sendable {
    enum Kind { case token, numberAndName }

    private let lock = NSLock()
    private var windows: [String: (minute: Int, count: Int)] = [:]
    /// This instance's share of the configured allowance.
    let perMinute: Int

    /// Kept in memory, per instance, on purpose: the look-up is the cheapest public read and a
    /// counter row per look-up would make every one of them a database write (on SQLite, behind
    /// the one writer). The proxy spreads an address's requests over the `instances`, so each
    /// allows its share and together they allow about the configured number. (Login attempts,
    /// where a few extra guesses matter, are counted in the database: `LoginThrottle`.)
    init(perMinute: Int, instances: Int = 1) {
        self.perMinute = max(1, perMinute / max(1, instances))
    }

    /// True when this look-up is within the address's allowance for the current minute.
    func allow(address: String, kind: Kind, now: Date) -> Bool {
        let minute = Int(now.timeIntervalSince1970 / 60)
        let limit = kind == .token ? perMinute : max(1, perMinute / 6)
        let key = (kind == .token ? "t " : "n ") + address
        return lock.withLock {
            if windows.count > 100_000 { windows = windows.filter { $0.value.minute == minute } }
            var window = windows[key] ?? (minute, 0)
            if window.minute != minute { window = (minute, 0) }
            window.count += 1
            windows[key] = window
            return window.count <= limit
        }
    }
}

private struct VerificationThrottleKey: StorageKey { typealias Value = VerificationThrottle }

extension Application {
    /// `PEIXUN_VERIFY_PER_MINUTE` look-ups by token per address and minute (default 120; a sixth of it by
    /// number and name), set once in `configure`.
    var verificationThrottle: VerificationThrottle {
        get { storage[VerificationThrottleKey.self]! }
        set { storage[VerificationThrottleKey.self] = newValue }
    }
}

/// The public verification: `/verify/{token}` (the QR code), `/verify?number=&name=`, and the
/// same in JSON. No login; answers are the same for "no such certificate" and "wrong name".
struct VerificationController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.certificates(.verify(.key)), use: page)
        routes.get(.certificates(.apiVerify(.key)), use: api)
        routes.get(.certificates(.verifyForm()), use: form)
    }

    private func throttle(_ request: Request, _ kind: VerificationThrottle.Kind) throws {
        guard request.application.verificationThrottle.allow(address: request.clientAddress, kind: kind, now: request.clock.now()) else {
            throw AppError(.tooManyRequests, code: "verify.too_many", "查询过于频繁，请一分钟后再试")
        }
    }

    /// The answer for the path's token, from the instance's cache when it is fresh.
    private func byToken(_ request: Request) async throws -> (token: String, entry: VerificationCache.Entry?, answer: VerificationDTO) {
        try throttle(request, .token)
        guard let token = request.parameters.get(.token).flatMap(VerificationToken.init(parsing:)) else { throw AppError.notFound("证书") }
        let cache = request.application.verificationCache
        let now = request.clock.now()
        if let entry = cache.entry(token: token.value, now: now) { return (token.value, entry, entry.answer) }
        let generation = cache.currentGeneration
        guard let (answer, _) = try await VerificationDTO.find(.token(token), on: request.sql) else { throw AppError.notFound("证书") }
        cache.store(token: token.value, answer: answer, generation: generation, now: now)
        return (token.value, nil, answer)
    }

    struct Page: Encodable, Sendable {
        let pageTitle = "证书核验"
        let result: VerificationDTO?
        let number: String
        let name: String
        let error: String?
        let searched: Bool
        let formURL = SiteURL.certificates(.verifyForm()).path
    }

    @Sendable func page(request: Request) async throws -> Response {
        let generation = request.application.verificationCache.currentGeneration
        let (token, entry, answer) = try await byToken(request)
        // A visitor without a cookie (the QR code's) gets the same bytes as the last one did.
        let anonymous = request.currentUser == nil && request.sessionState == nil
        if anonymous, let page = entry?.anonymousPage { return Self.htmlResponse(page) }
        let view = try await request.renderPage("verify", Page(result: answer, number: "", name: "", error: nil, searched: true))
        if anonymous {
            request.application.verificationCache.store(token: token, answer: answer, anonymousPage: view.data,
                                                        generation: generation, now: request.clock.now())
        }
        return Self.htmlResponse(view.data)
    }

    private static func htmlResponse(_ body: ByteBuffer) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .html
        return Response(status: .ok, headers: headers, body: .init(buffer: body))
    }

    @Sendable func api(request: Request) async throws -> VerificationDTO {
        try await byToken(request).answer
    }

    struct FormQuery: Decodable {
        var number: String?
        var name: String?
    }

    @Sendable func form(request: Request) async throws -> Response {
        let query = (try? request.query.decode(FormQuery.self)) ?? FormQuery()
        let numberText = String((query.number ?? "").prefix(40))
        let nameText = String((query.name ?? "").prefix(40))
        guard !numberText.isEmpty || !nameText.isEmpty else {
            return try await request.renderPage("verify", Page(result: nil, number: "", name: "", error: nil, searched: false)).encodeResponse(for: request)
        }
        var error: String?
        var result: VerificationDTO?
        if let number = CertificateNumber(parsing: numberText) {
            let name = TextCleaning.clean(nameText)
            if name.isEmpty {
                error = "请填写证书持有人姓名"
            } else {
                try throttle(request, .numberAndName)
                if let (answer, holder) = try await VerificationDTO.find(.number(number), on: request.sql), holder == name {
                    result = answer
                } else {
                    error = "未找到编号与姓名相符的证书。请核对证书上的编号（17 位）和姓名。"
                }
            }
        } else {
            error = "证书编号应为 17 位（年份 4 位、县级代码 6 位、流水号 6 位、校验码 1 位），请核对后重新输入"
        }
        let page = Page(result: result, number: numberText, name: nameText, error: error, searched: true)
        let response = try await request.renderPage("verify", page).encodeResponse(for: request)
        if result == nil { response.status = error?.hasPrefix("未找到") == true ? .notFound : .badRequest }
        return response
    }
}
