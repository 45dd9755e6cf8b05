import Fluent
import PeixunCore
import SQLKit
import Vapor

/// 登记新教师 and 修改教师信息, on the web and in the API.
struct TeacherFormController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.teachers(.new), use: newForm)
        routes.post(.teachers(.new), use: create)
        routes.get(.teachers(.edit(.key)), use: editForm)
        routes.post(.teachers(.edit(.key)), use: update)
        routes.post(.teachers(.apiTeachers), use: apiCreate)
        routes.patch(.teachers(.apiTeacher(.key)), use: apiUpdate)
    }

    private func registry(_ request: Request) throws -> TeacherRegistry {
        let user = try request.requireUser()
        guard [.province, .city, .county].contains(user.role) else { throw AppError.notFound() }
        return TeacherRegistry(database: request.db, regions: request.application.regions, scope: user.scope, actor: .init(request))
    }

    struct Option: Encodable, Sendable { let value: String; let label: String; let selected: Bool }

    struct FormPage: Encodable, Sendable {
        let pageTitle: String
        let action: String
        let isNew: Bool
        let counties: [Option]
        let schools: [String]
        let stages: [Option]
        let sexes: [Option]
        let form: TeacherRegistry.Input
        let issues: [RowIssue]
        let hasIssues: Bool
        let schoolName: String
        let maskedID: String
    }

    private func formPage(_ request: Request, teacher: TeacherModel?, input: TeacherRegistry.Input, issues: [RowIssue]) async throws -> FormPage {
        let user = try request.requireUser()
        let regions = request.application.regions
        let root = user.scope.root(in: regions) ?? regions.province.code
        let counties = regions.counties(in: root)
        let chosen = input.county ?? (counties.count == 1 ? counties[0].code : nil)
        var schools: [String] = []
        if let county = chosen, counties.contains(where: { $0.code == county }) {
            schools = try await SchoolModel.query(on: request.db).filter(\.$countyCode == county).sort(\.$name).all().map(\.name)
        }
        let countyOptions = counties.map { county in
            Option(value: county.code, label: (counties.count > 1 ? (regions.parent(of: county)?.name ?? "") + " " : "") + county.name,
                   selected: county.code == chosen)
        }
        return FormPage(
            pageTitle: teacher == nil ? "登记新教师" : "修改教师信息",
            action: SiteURL.teachers(teacher.map { .edit(.value($0.id!)) } ?? .new).path,
            isNew: teacher == nil, counties: countyOptions, schools: schools,
            stages: [Option(value: "", label: teacher == nil ? "按学校确定" : "不变", selected: (input.stage ?? "").isEmpty)]
                + Stage.allCases.map { Option(value: $0.label, label: $0.label, selected: input.stage == $0.label) },
            sexes: [Option(value: "", label: "按身份证号码", selected: (input.sex ?? "").isEmpty)]
                + [Sex.male, Sex.female].map { Option(value: $0.label, label: $0.label, selected: input.sex == $0.label) },
            form: input, issues: issues, hasIssues: !issues.isEmpty, schoolName: teacher?.school.name ?? "",
            maskedID: teacher.flatMap { ResidentID(canonical: $0.residentID)?.masked } ?? "")
    }

    @Sendable func newForm(request: Request) async throws -> View {
        _ = try registry(request)
        return try await request.renderPage("teacher-form", try await formPage(request, teacher: nil, input: .init(), issues: []))
    }

    @Sendable func create(request: Request) async throws -> Response {
        let input = try request.content.decode(TeacherRegistry.Input.self)
        do {
            let teacher = try await registry(request).create(input)
            return request.redirect(to: SiteURL.teachers(.teacher(.value(teacher.id!))).path, redirectType: .normal)
        } catch let refusal as InputRefusal {
            return try await request.renderPage("teacher-form", try await formPage(request, teacher: nil, input: input, issues: refusal.issues))
                .encodeResponse(status: .unprocessableEntity, for: request)
        }
    }

    private func loadTeacher(_ request: Request) async throws -> TeacherModel {
        let user = try request.requireUser()
        guard let id = request.parameters.get(.teacherID, as: Int.self),
              let teacher = try await TeacherModel.query(on: request.db).filter(\.$id == id).scoped(to: user.scope).with(\.$school).first()
        else { throw AppError.notFound("教师") }
        return teacher
    }

    @Sendable func editForm(request: Request) async throws -> View {
        _ = try registry(request)
        let teacher = try await loadTeacher(request)
        let input = TeacherRegistry.Input(county: teacher.countyCode, school: teacher.school.name, stage: Stage(rawValue: teacher.stage)?.label,
                                          name: teacher.name, residentID: nil, phone: teacher.mobile)
        return try await request.renderPage("teacher-form", try await formPage(request, teacher: teacher, input: input, issues: []))
    }

    @Sendable func update(request: Request) async throws -> Response {
        let registry = try registry(request)
        let teacher = try await loadTeacher(request)
        let input = try request.content.decode(TeacherRegistry.Input.self)
        do {
            _ = try await registry.update(id: teacher.id!, input)
            return request.redirect(to: SiteURL.teachers(.teacher(.value(teacher.id!))).path, redirectType: .normal)
        } catch let refusal as InputRefusal {
            var shown = input
            shown.county = teacher.countyCode
            return try await request.renderPage("teacher-form", try await formPage(request, teacher: teacher, input: shown, issues: refusal.issues))
                .encodeResponse(status: .unprocessableEntity, for: request)
        }
    }

    struct SavedDTO: Content {
        let id: Int
        let name: String
        let residentID: String
        let mobile: String?
        let schoolID: Int
        let stage: String
        let countyCode: String
    }

    private func saved(_ teacher: TeacherModel) -> SavedDTO {
        SavedDTO(id: teacher.id!, name: teacher.name, residentID: ResidentID(canonical: teacher.residentID)?.masked ?? "******",
                 mobile: teacher.mobile, schoolID: teacher.$school.id, stage: teacher.stage, countyCode: teacher.countyCode)
    }

    @Sendable func apiCreate(request: Request) async throws -> Response {
        let teacher = try await registry(request).create(try request.content.decode(TeacherRegistry.Input.self))
        return try await saved(teacher).encodeResponse(status: .created, for: request)
    }

    @Sendable func apiUpdate(request: Request) async throws -> SavedDTO {
        let registry = try registry(request)
        guard let id = request.parameters.get(.teacherID, as: Int.self) else { throw AppError.notFound("教师") }
        return saved(try await registry.update(id: id, try request.content.decode(TeacherRegistry.Input.self)))
    }
}
