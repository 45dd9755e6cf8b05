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

    private func load(_ request: Request) async throws -> MyTrainingDTO {
        let user = try request.requireUser()
        guard case .teacher = user.scope,
              let teacher = try await TeacherModel.query(on: request.db).scoped(to: user.scope).with(\.$school).first()
        else { throw AppError.notFound() }
        let records = try await TeacherRecordDTO.load(teacherID: teacher.id!, on: request.sql)
        let regions = request.application.regions
        let county = regions.region(code: teacher.countyCode)
        return MyTrainingDTO(
            name: teacher.name, residentID: ResidentID(canonical: teacher.residentID)?.masked ?? "",
            school: teacher.school.name,
            county: [county.flatMap { regions.parent(of: $0)?.name }, county?.name].compactMap { $0 }.joined(),
            stage: Stage(rawValue: teacher.stage)?.label ?? teacher.stage,
            trained: teacher.firstPassedYear != nil,
            records: records,
            integration: try await TeacherPipelineDTO.load(residentID: teacher.residentID, on: request.db),
            contact: try await WhomToCall.forCounty(teacher.countyCode, regions: regions, on: request.db)?.sentence)
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
