import Fluent
import Foundation
import PeixunCore
import Vapor

/// 职称评审核验: does this person (ID + name) meet the certificate condition for a title
/// application dated so? For the title-evaluation offices (and the province); each look-up is
/// audited, and the answer tells nothing of the registry beyond the certificates.
struct TitleCheck {
    struct CertificateLine: Content, Equatable {
        let number: String
        let issuedOn: String
        let status: String
        let statusLabel: String
    }

    struct Answer: Content, Equatable {
        let eligible: Bool
        let reason: String
        let certificates: [CertificateLine]
    }

    struct Input: Content {
        var residentId: String?
        var name: String?
        var applicationDate: String?
    }

    let database: any Database
    let settings: CertificateSettings
    /// Whose teachers may be looked up: every one for a title-evaluation office (its applicants
    /// come from anywhere), an education office's own subtree — a province below 全国 learns
    /// nothing of another province's teachers, who answer as not found.
    let scope: RegionScope

    /// Reads the input, refusing what is malformed with the field named.
    static func parse(_ input: Input, today: CivilDate) throws -> (ResidentID, String, CivilDate) {
        let id: ResidentID
        do { id = try ResidentID.parse(input.residentId ?? "", today: today).id } catch {
            throw InputRefusal(field: "身份证号码", code: "title.resident_id", error.message)
        }
        let name: String
        switch PersonName.check(input.name ?? "") {
        case .success(let cleaned): name = cleaned
        case .failure(let refusal): throw InputRefusal(field: "姓名", code: "title.name", refusal.message)
        }
        var date = today
        if let text = input.applicationDate?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard text.count == 10, let parsed = CivilDate(iso: text) else {
                throw InputRefusal(field: "申报日期", code: "title.date", "申报日期应为 YYYY-MM-DD，例如 2019-03-15")
            }
            date = parsed
        }
        return (id, name, date)
    }

    func check(id: ResidentID, name: String, applicationDate: CivilDate, actor: AuditLog.Actor) async throws -> Answer {
        let teacher = try await TeacherModel.query(on: database).filter(\.$residentID == id.value).scoped(to: scope).first()
        var lines: [CertificateLine] = []
        var nameMatches = false
        if let teacher {
            let certificates = try await CertificateRegister(database: database).certificates(ofTeacher: teacher.id!)
            nameMatches = try teacher.name == name || certificates.contains { try $0.snapshot().teacherName == name }
            if nameMatches {
                lines = try certificates.map { CertificateLine(number: $0.number, issuedOn: $0.issuedOn, status: try $0.status().rawValue, statusLabel: try $0.status().label) }
            }
        }
        let valid = lines.first { $0.status == CertificateStatus.valid.rawValue }
        let answer: Answer
        if applicationDate < settings.titlePolicyDate {
            answer = Answer(eligible: true, reason: "申报日期 \(applicationDate) 早于 \(settings.titlePolicyDate)，不需要信息技术应用能力提升培训结业证书", certificates: lines)
        } else if let valid {
            answer = Answer(eligible: true, reason: "持有有效的结业证书 \(valid.number)（\(valid.issuedOn) 签发）", certificates: lines)
        } else if teacher == nil || !nameMatches {
            answer = Answer(eligible: false, reason: "未找到身份证号码与姓名相符的教师，请核对后重试；如确已参训，请其联系所在县(市、区)教育局", certificates: [])
        } else if lines.contains(where: { $0.status == CertificateStatus.revoked.rawValue }) {
            answer = Answer(eligible: false, reason: "该教师的结业证书已被撤销，没有有效证书", certificates: lines)
        } else {
            answer = Answer(eligible: false, reason: "该教师尚未取得结业证书（尚未完成培训或证书尚未签发）", certificates: lines)
        }
        try await AuditLog.record(on: database, actor: actor, action: .titleCheck, objectType: "teacher", objectID: id.masked,
                                  countyCode: teacher?.countyCode, cityCode: teacher?.cityCode,
                                  summary: "职称评审核验 \(id.masked) \(name.maskedPersonName)（申报日期 \(applicationDate)）：\(answer.eligible ? "符合" : "不符合")")
        return answer
    }
}

struct TitleCheckController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.certificates(.titleCheck), use: page)
        routes.post(.certificates(.titleCheck), use: submit)
        routes.post(.certificates(.apiTitleCheck), use: api)
        routes.upload(.certificates(.titleCheckBatch), use: batchForm)
        routes.upload(.certificates(.apiTitleCheckBatch), use: batchAPI)
    }

    func checker(_ request: Request) throws -> TitleCheck {
        let user = try request.requireUser()
        guard user.role == .reviewer || user.role == .province else { throw AppError.notFound() }
        return TitleCheck(database: request.db, settings: request.application.config.certificates,
                          scope: user.role == .reviewer ? .all : user.scope)
    }

    @Sendable func api(request: Request) async throws -> TitleCheck.Answer {
        let checker = try checker(request)
        let (id, name, date) = try TitleCheck.parse(try request.content.decode(TitleCheck.Input.self), today: request.clock.today())
        return try await checker.check(id: id, name: name, applicationDate: date, actor: AuditLog.Actor(request))
    }

    struct Page: Encodable, Sendable {
        let pageTitle = "职称评审核验"
        let residentId: String
        let name: String
        let applicationDate: String
        let policyDate: String
        let answer: TitleCheck.Answer?
        let error: String?
        let formURL = SiteURL.certificates(.titleCheck).path
        let batchURL = SiteURL.certificates(.titleCheckBatch).path
        let maximumRows = TitleCheckBatch.maximumRows
    }

    @Sendable func page(request: Request) async throws -> View {
        _ = try checker(request)
        return try await request.renderPage("title-check", Page(
            residentId: "", name: "", applicationDate: request.clock.today().description,
            policyDate: request.application.config.certificates.titlePolicyDate.description, answer: nil, error: nil))
    }

    @Sendable func submit(request: Request) async throws -> Response {
        let checker = try checker(request)
        let input = try request.content.decode(TitleCheck.Input.self)
        var answer: TitleCheck.Answer?
        var error: String?
        do {
            let (id, name, date) = try TitleCheck.parse(input, today: request.clock.today())
            answer = try await checker.check(id: id, name: name, applicationDate: date, actor: AuditLog.Actor(request))
        } catch let refusal as InputRefusal {
            error = refusal.message
        }
        let page = Page(residentId: String((input.residentId ?? "").prefix(30)), name: String((input.name ?? "").prefix(40)),
                        applicationDate: String((input.applicationDate ?? "").prefix(10)),
                        policyDate: request.application.config.certificates.titlePolicyDate.description, answer: answer, error: error)
        let response = try await request.renderPage("title-check", page).encodeResponse(for: request)
        if error != nil { response.status = .badRequest }
        return response
    }
}
