import Fluent
import PeixunCore
import SQLKit
import Vapor

/// A teacher's page for the offices in scope: the only place the full resident ID is shown,
/// and every such view is written to the audit log.
struct TeacherDetailController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.teachers(.teacher(.key)), use: page)
        routes.get(.teachers(.apiTeacher(.key)), use: api)
    }

    struct TeacherDTO: Content {
        let id: Int
        let name: String
        let residentID: String
        let sex: String
        let birthDate: String
        let mobile: String?
        let school: String
        let countyCode: String
        let county: String
        let stage: String
        let firstPassedYear: Int?
        let hasAccount: Bool
        let records: [TeacherRecordDTO]
        let transfers: [TransferController.TransferDTO]
    }

    private func load(_ request: Request) async throws -> TeacherDTO {
        let user = try request.requireUser()
        guard [.province, .city, .county].contains(user.role),
              let id = request.parameters.get(.teacherID, as: Int.self),
              let teacher = try await TeacherModel.query(on: request.db).filter(\.$id == id)
                .scoped(to: user.scope).with(\.$school).first()
        else { throw AppError.notFound("教师") }
        let records = try await TeacherRecordDTO.load(teacherID: id, on: request.sql)
        let transfers = try await TransferController.load(
            TeacherTransfers(database: request.db, regions: request.application.regions, user: user, actor: .init(request)),
            teacherID: id, on: request.sql)
        let hasAccount = try await UserModel.query(on: request.db).filter(\.$teacherID == id).count() > 0
        let residentID = ResidentID(canonical: teacher.residentID)
        try await AuditLog.record(
            on: request.db, actor: .init(request), action: .viewFullID, objectType: "teacher", objectID: String(id),
            countyCode: teacher.countyCode, cityCode: teacher.cityCode, summary: "查看教师 \(teacher.name) 的完整身份证号")
        return TeacherDTO(
            id: id, name: teacher.name, residentID: teacher.residentID, sex: residentID?.sex.label ?? "",
            birthDate: residentID?.birthDate.description ?? "", mobile: teacher.mobile, school: teacher.school.name,
            countyCode: teacher.countyCode, county: request.application.regions.region(code: teacher.countyCode)?.name ?? "",
            stage: Stage(rawValue: teacher.stage)?.label ?? teacher.stage, firstPassedYear: teacher.firstPassedYear,
            hasAccount: hasAccount, records: records, transfers: transfers)
    }

    struct CountyOption: Encodable, Sendable { let code: String; let label: String }

    struct Page: Encodable, Sendable {
        let pageTitle: String
        let teacher: TeacherDTO
        let hasRecords: Bool
        let hasTransfers: Bool
        let hasPendingTransfer: Bool
        let counties: [CountyOption]
        let schools: [String]
        let links: Links
    }

    /// Where the teacher's page links and posts to.
    struct Links: Encodable, Sendable {
        let listURL = SiteURL.teachers(.list).path
        let transfersURL = SiteURL.teachers(.transfers).path
        let editURL: String
        let resetPasswordURL: String
        let transferURL: String

        init(teacherID: Int) {
            let teacher = SiteURL.Parameter.value(teacherID)
            editURL = SiteURL.teachers(.edit(teacher)).path
            resetPasswordURL = SiteURL.accounts(.resetTeacherPassword(teacher)).path
            transferURL = SiteURL.teachers(.requestTransfer(teacher)).path
        }
    }

    @Sendable func page(request: Request) async throws -> View {
        let teacher = try await load(request)
        let regions = request.application.regions
        let counties = regions.counties(in: regions.province.code).map { county in
            CountyOption(code: county.code, label: (regions.parent(of: county)?.name ?? "") + " " + county.name)
        }
        let schools = try await SchoolModel.query(on: request.db).filter(\.$countyCode == teacher.countyCode).sort(\.$name).all().map(\.name)
        return try await request.renderPage("teacher", Page(
            pageTitle: teacher.name, teacher: teacher, hasRecords: !teacher.records.isEmpty, hasTransfers: !teacher.transfers.isEmpty,
            hasPendingTransfer: teacher.transfers.contains { $0.status == TransferModel.Status.pending.rawValue },
            counties: counties, schools: schools, links: Links(teacherID: teacher.id)))
    }

    @Sendable func api(request: Request) async throws -> TeacherDTO {
        try await load(request)
    }
}
