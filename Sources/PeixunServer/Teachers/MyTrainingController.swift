import Fluent
import PeixunCore
import SQLKit
import Vapor

/// 我的培训: a teacher's own record, reached through the same scope as everything else
/// (a teacher's scope is its own Teacher row).
struct MyTrainingController {
    func boot(routes: any RoutesBuilder) {
        routes.get("me", use: page)
        routes.get("api", "v1", "me", "training", use: api)
    }

    struct RecordDTO: Content {
        let project: String
        let level: String
        let year: Int
        let result: String
    }

    struct MyTrainingDTO: Content {
        let name: String
        let residentID: String
        let school: String
        let county: String
        let stage: String
        let trained: Bool
        let records: [RecordDTO]
    }

    private func load(_ request: Request) async throws -> MyTrainingDTO {
        let user = try request.requireUser()
        guard case .teacher = user.scope,
              let teacher = try await TeacherModel.query(on: request.db).scoped(to: user.scope).with(\.$school).first()
        else { throw AppError.notFound() }
        struct Row: Decodable { let name: String; let level: String; let year: Int; let result: String }
        let rows = try await request.sql.raw("""
            SELECT p.name, p.level, r.year, r.result FROM training_records r JOIN projects p ON p.id = r.project_id
            WHERE r.teacher_id = \(bind: teacher.id!) ORDER BY r.year, p.name
            """).all(decoding: Row.self)
        let regions = request.application.regions
        let county = regions.region(code: teacher.countyCode)
        return MyTrainingDTO(
            name: teacher.name, residentID: ResidentID(canonical: teacher.residentID)?.masked ?? "",
            school: teacher.school.name,
            county: [county.flatMap { regions.parent(of: $0)?.name }, county?.name].compactMap { $0 }.joined(),
            stage: Stage(rawValue: teacher.stage)?.label ?? teacher.stage,
            trained: teacher.firstPassedYear != nil,
            records: rows.map {
                RecordDTO(project: $0.name, level: TrainingLevel(rawValue: $0.level)?.label ?? $0.level, year: $0.year,
                          result: TrainingResult(rawValue: $0.result)?.label ?? $0.result)
            })
    }

    struct Page: Encodable, Sendable {
        let pageTitle = "我的培训"
        let me: MyTrainingDTO
    }

    @Sendable func page(request: Request) async throws -> View {
        try await request.renderPage("me", Page(me: try await load(request)))
    }

    @Sendable func api(request: Request) async throws -> MyTrainingDTO {
        try await load(request)
    }
}
