import Fluent
import PeixunCore
import SQLKit
import Vapor

/// 我的培训: a teacher's own record, reached through the same scope as everything else
/// (a teacher's scope is its own Teacher row).
struct MyTrainingController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.teachers(.myTraining), use: page)
        routes.get(.teachers(.apiMyTraining), use: api)
    }

    struct MyTrainingDTO: Content {
        let name: String
        let residentID: String
        let school: String
        let county: String
        let stage: String
        let trained: Bool
        let records: [TeacherRecordDTO]
        /// 合作项目整合: where the teacher stands in each project's integration.
        let integration: [TeacherPipelineDTO]
        /// Whom to call about the integration status: the county's project contact (附件4), else its city's.
        let contact: String?
    }

    /// Two plain queries, started together: the teacher with its school and whom to call,
    /// and its training records with its integration steps. (Fluent took six round trips:
    /// teacher, school, records, steps, the county's contact, the city's.)
    private func load(_ request: Request) async throws -> MyTrainingDTO {
        let user = try request.requireUser()
        guard case .teacher(let teacherID) = user.scope else { throw AppError.notFound() }
        struct Teacher: Decodable {
            let name: String; let resident_id: String; let county_code: String; let stage: String
            let first_passed_year: Int?; let school: String
        }
        async let teacherRow = request.sql.raw("""
            SELECT t.name, t.resident_id, t.county_code, t.stage, t.first_passed_year, s.name AS school, \(WhomToCall.columns)
            FROM teachers t JOIN schools s ON s.id = t.school_id
            LEFT JOIN contacts c ON c.id = \(WhomToCall.contactID(county: "t.county_code", city: "t.city_code"))
            WHERE \(user.scope.predicate(table: "t", teacherID: "id"))
            """).first()
        async let history = Self.history(teacherID: teacherID, on: request.sql)
        guard let row = try await teacherRow else { throw AppError.notFound() }
        let teacher = try row.decode(model: Teacher.self, keyDecodingStrategy: .useDefaultKeys)
        let contact = try row.decode(model: WhomToCall.Row.self, keyDecodingStrategy: .useDefaultKeys)
        let (records, integration) = try await history
        let regions = request.application.regions
        let county = regions.region(code: teacher.county_code)
        return MyTrainingDTO(
            name: teacher.name, residentID: ResidentID(canonical: teacher.resident_id)?.masked ?? "",
            school: teacher.school,
            county: [county.flatMap { regions.parent(of: $0)?.name }, county?.name].compactMap { $0 }.joined(),
            stage: Stage(rawValue: teacher.stage)?.label ?? teacher.stage,
            trained: teacher.first_passed_year != nil,
            records: records, integration: integration,
            contact: contact.whomToCall(county: teacher.county_code, regions: regions)?.sentence)
    }

    /// The teacher's training records (oldest first, as `TeacherRecordDTO.load`) and its steps
    /// in the cooperation projects' integration (as `TeacherPipelineDTO.load`), in one query.
    static func history(teacherID: Int, on sql: any SQLDatabase) async throws -> ([TeacherRecordDTO], [TeacherPipelineDTO]) {
        struct Row: Decodable {
            let kind: Int; let year: Int; let level: String?; let result: String?
            let project: String; let status: String?; let reason: String?; let city_state: String?
        }
        let rows = try await sql.raw("""
            SELECT 0 AS kind, r.year AS year, p.name AS name_key, 0 AS id_key, p.level, r.result,
                   p.name AS project, NULL AS status, NULL AS reason, NULL AS city_state
            FROM training_records r JOIN projects p ON p.id = r.project_id WHERE r.teacher_id = \(bind: teacherID)
            UNION ALL
            SELECT 1, b.year, '', p.id, NULL, NULL, \(TeacherPipelineDTO.columns)
            \(TeacherPipelineDTO.source(residentID: "(SELECT resident_id FROM teachers WHERE id = \(bind: teacherID))"))
            ORDER BY kind, year, name_key, id_key
            """).all(decoding: Row.self)
        let records = rows.filter { $0.kind == 0 }.map {
            TeacherRecordDTO(stored: $0.project, level: $0.level ?? "", year: $0.year, result: $0.result ?? "")
        }
        let steps = try rows.filter { $0.kind == 1 }.map {
            try TeacherPipelineDTO(.init(project: $0.project, year: $0.year, status: $0.status ?? "", reason: $0.reason, city_state: $0.city_state))
        }
        return (records, steps)
    }

    struct Page: Encodable, Sendable {
        let pageTitle = "我的培训"
        let me: MyTrainingDTO
        let hasRecords: Bool
        let hasIntegration: Bool
    }

    private func page(for me: MyTrainingDTO) -> Page { Page(me: me, hasRecords: !me.records.isEmpty, hasIntegration: !me.integration.isEmpty) }

    @Sendable func page(request: Request) async throws -> View {
        try await request.renderPage("me", page(for: try await load(request)))
    }

    @Sendable func api(request: Request) async throws -> MyTrainingDTO {
        try await load(request)
    }
}
