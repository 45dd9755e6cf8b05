import Fluent
import Foundation
import PeixunCore
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

    static func make(_ certificate: CertificateModel, register: CertificateRegister) async throws -> VerificationDTO {
        let snapshot = try certificate.snapshot()
        let status = try certificate.status()
        return VerificationDTO(status: status.rawValue, statusLabel: status.label, number: certificate.number,
                               issuedOn: snapshot.issuedOn.description, holder: snapshot.teacherName.maskedPersonName,
                               programme: snapshot.programme, issuer: snapshot.issuer,
                               replacedBy: try await register.replacementNumber(of: certificate),
                               revokedOn: certificate.revokedOn, revokedReason: certificate.revokedReason)
    }
}

/// Look-ups per address and minute, kept in memory: verification is public and must stay
/// fast (no database write per request); a token cannot be guessed anyway, and the number +
/// name form, which could be used to test guesses, gets the smaller allowance.
final class VerificationThrottle: @unchecked Sendable {
    enum Kind { case token, numberAndName }

    private let lock = NSLock()
    private var windows: [String: (minute: Int, count: Int)] = [:]
    let perMinute: Int

    init(perMinute: Int) { self.perMinute = perMinute }

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

    private func byToken(_ request: Request) async throws -> VerificationDTO {
        try throttle(request, .token)
        let register = CertificateRegister(database: request.db)
        guard let token = request.parameters.get(.token).flatMap(VerificationToken.init(parsing:)),
              let certificate = try await register.find(token: token) else { throw AppError.notFound("证书") }
        return try await VerificationDTO.make(certificate, register: register)
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

    @Sendable func page(request: Request) async throws -> View {
        let result = try await byToken(request)
        return try await request.renderPage("verify", Page(result: result, number: "", name: "", error: nil, searched: true))
    }

    @Sendable func api(request: Request) async throws -> VerificationDTO {
        try await byToken(request)
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
                let register = CertificateRegister(database: request.db)
                if let certificate = try await register.find(number: number), try certificate.snapshot().teacherName == name {
                    result = try await VerificationDTO.make(certificate, register: register)
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
