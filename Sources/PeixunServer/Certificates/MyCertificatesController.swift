import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

/// 我的证书: a teacher's own certificates, and when there is none, exactly why and whom to ask.
struct MyCertificatesController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.certificates(.mine), use: page)
        routes.get(.certificates(.apiMine), use: api)
    }

    struct MineDTO: Content {
        let name: String
        let certificates: [CertificateDTO]
        /// True when the records meet the completion rule.
        let eligible: Bool
        /// The rule in words.
        let rule: String
        /// Why there is no valid certificate yet, one sentence per reason; empty when there is one.
        let reasons: [String]
        /// Whom to call: the county's project contact (附件4), else its city's, else the county's education bureau.
        let contact: String
        /// Reissue requests (补发、更正) and how far each has come, newest first.
        let requests: [ReissueRequestDTO]
    }

    private func load(_ request: Request) async throws -> MineDTO {
        let user = try request.requireUser()
        guard case .teacher = user.scope,
              let teacher = try await TeacherModel.query(on: request.db).scoped(to: user.scope).first() else { throw AppError.notFound() }
        let register = CertificateRegister(database: request.db)
        let models = try await register.certificates(ofTeacher: teacher.id!)
        var certificates: [CertificateDTO] = []
        for model in models { certificates.append(try await register.dto(model)) }
        let settings = request.application.config.certificates
        let records = try await Self.records(teacherID: teacher.id!, on: request.sql)
        let eligible = settings.rule.qualifying(records) != nil
        let regions = request.application.regions
        let countyName = regions.region(code: teacher.countyCode).map(regions.qualifiedName(of:)) ?? "所在县(市、区)"
        var reasons: [String] = []
        if !certificates.contains(where: { $0.status == CertificateStatus.valid.rawValue }) {
            if let revoked = certificates.first(where: { $0.status == CertificateStatus.revoked.rawValue }) {
                reasons.append("您的证书 \(revoked.number) 已于 \(revoked.revokedOn ?? "") 被省执行办撤销（\(revoked.revokedReason ?? "")）。")
            } else if eligible {
                reasons.append("您已符合结业条件，证书尚待省执行办统一签发，签发后即可在本页下载打印。")
            } else {
                reasons.append("结业条件：\(settings.rule.description)。您目前还没有满足条件的培训记录。")
                for record in records where record.result != .passed {
                    reasons.append("\(record.year)年“\(record.project)”（\(record.level.label)）的结果为“\(record.result.label)”，不计入结业条件。")
                }
                for step in try await TeacherPipelineDTO.load(residentID: teacher.residentID, on: request.db) where !step.approved {
                    reasons.append("\(step.year)年合作项目“\(step.project)”：\(step.stage)。")
                }
            }
        }
        return MineDTO(name: teacher.name, certificates: certificates, eligible: eligible, rule: settings.rule.description, reasons: reasons,
                       contact: "如对培训记录或证书有疑问，" + (try await WhomToCall.forCounty(teacher.countyCode, regions: regions, on: request.db)?.sentence
                           ?? "请联系\(countyName)教育局（教师培训管理部门）。"),
                       requests: try await ReissueDesk(request: request).requests(ofTeacher: teacher.id!))
    }

    /// The teacher's records as the completion rule reads them.
    static func records(teacherID: Int, on sql: any SQLDatabase) async throws -> [CompletionRule.Record] {
        struct Row: Decodable { let project: String; let level: String; let year: Int; let result: String }
        return try await sql.raw("""
            SELECT p.name AS project, p.level, r.year, r.result FROM training_records r JOIN projects p ON p.id = r.project_id
            WHERE r.teacher_id = \(bind: teacherID) ORDER BY r.year, p.name
            """).all(decoding: Row.self).map {
            CompletionRule.Record(year: $0.year, project: $0.project,
                                  level: try .read($0.level, table: ProjectModel.schema, row: nil, column: "level"),
                                  result: try .read($0.result, table: TrainingRecordModel.schema, row: nil, column: "result"))
        }
    }

    struct RowLinks: Encodable, Sendable {
        let url: String
        /// A valid certificate without an open request may be reissued.
        let mayRequestReissue: Bool
    }

    struct Page: Encodable, Sendable {
        let pageTitle = "我的证书"
        let mine: MineDTO
        let rows: [Linked<CertificateDTO, RowLinks>]
        let hasCertificates: Bool
        let hasRequests: Bool
        /// Leaf takes an empty array for true: without this a holder of a valid certificate saw an empty "证书尚未签发" box.
        let hasReasons: Bool
        let trainingURL = SiteURL.teachers(.myTraining).path
        let reissueURL = SiteURL.reissue(.create).path
        let kinds = ReissueKind.allCases.map { ReissueController.Page.Option(value: $0.rawValue, label: $0.label) }
    }

    @Sendable func page(request: Request) async throws -> View {
        let mine = try await load(request)
        let open = Set(mine.requests.filter { ReissueStatus.open.map(\.rawValue).contains($0.status) }.map(\.certificateNumber))
        return try await request.renderPage("my-certificates", Page(
            mine: mine, rows: mine.certificates.map {
                Linked($0, RowLinks(url: SiteURL.certificates(.pdf(.value($0.number))).path,
                                    mayRequestReissue: $0.status == CertificateStatus.valid.rawValue && !open.contains($0.number)))
            },
            hasCertificates: !mine.certificates.isEmpty, hasRequests: !mine.requests.isEmpty, hasReasons: !mine.reasons.isEmpty))
    }

    @Sendable func api(request: Request) async throws -> MineDTO {
        try await load(request)
    }
}
