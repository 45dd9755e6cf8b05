import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

/// 调动办理: the transfers entering and leaving the user's region, with accept/reject for the
/// receiving county and cancel for the sending side; the same in the API.
struct TransferController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.teachers(.transfers), use: page)
        routes.post(.teachers(.requestTransfer(.key)), use: requestTransfer)
        routes.post(.teachers(.transfer(.key, .accept)), use: accept)
        routes.post(.teachers(.transfer(.key, .reject)), use: reject)
        routes.post(.teachers(.transfer(.key, .cancel)), use: cancel)
        routes.get(.teachers(.apiTransfers), use: apiList)
        routes.post(.teachers(.apiRequestTransfer(.key)), use: apiRequest)
        routes.post(.teachers(.apiTransfer(.key, .accept)), use: apiAccept)
        routes.post(.teachers(.apiTransfer(.key, .reject)), use: apiReject)
        routes.post(.teachers(.apiTransfer(.key, .cancel)), use: apiCancel)
    }

    private func service(_ request: Vapor.Request) throws -> TeacherTransfers {
        let user = try request.requireUser()
        guard [.province, .city, .county].contains(user.role) else { throw AppError.notFound() }
        return TeacherTransfers(database: request.db, regions: request.application.regions, user: user, actor: .init(request))
    }

    struct TransferDTO: Content {
        let id: Int
        let teacherID: Int
        let teacherName: String
        let residentID: String
        let fromCounty: String
        let fromSchool: String
        let toCountyCode: String
        let toCounty: String
        let toSchool: String?
        let requestedSchool: String?
        let status: String
        let statusLabel: String
        let note: String?
        let decisionReason: String?
        let requestedBy: String
        let requestedAt: Date
        let decidedAt: Date?
        let mayAccept: Bool
        let mayCancel: Bool
    }

    /// Loads transfers visible to the user, newest first, optionally of one teacher.
    static func load(_ service: TeacherTransfers, teacherID: Int? = nil, transferID: Int? = nil, on sql: any SQLDatabase) async throws -> [TransferDTO] {
        struct Row: Decodable {
            let id: Int; let teacher_id: Int; let teacher_name: String; let resident_id: String
            let from_county_code: String; let from_school: String; let to_county_code: String; let to_school: String?
            let requested_school: String?; let status: String; let note: String?; let decision_reason: String?
            let requested_by: String; let requested_at: Date; let decided_at: Date?
        }
        var filter: SQLQueryString = teacherID.map { "AND x.teacher_id = \(bind: $0)" } ?? ""
        if let transferID { filter += " AND x.id = \(bind: transferID)" }
        let scope = service.user.scope
        let rows = try await sql.raw("""
            SELECT x.id, x.teacher_id, t.name AS teacher_name, t.resident_id, x.from_county_code, fs.name AS from_school,
                   x.to_county_code, ts.name AS to_school, x.requested_school, x.status, x.note, x.decision_reason,
                   x.requested_by, x.requested_at, x.decided_at
            FROM teacher_transfers x
            JOIN teachers t ON t.id = x.teacher_id
            JOIN schools fs ON fs.id = x.from_school_id
            LEFT JOIN schools ts ON ts.id = x.to_school_id
            WHERE (\(scope.predicate(table: "x", county: "from_county_code", city: "from_city_code"))
                   OR \(scope.predicate(table: "x", county: "to_county_code", city: "to_city_code"))) \(filter)
            ORDER BY CASE WHEN x.status = \(literal: TransferModel.Status.pending.rawValue) THEN 0 ELSE 1 END, x.requested_at DESC, x.id DESC
            LIMIT 500
            """).all(decoding: Row.self)
        let regions = service.regions
        let user = service.user
        return try rows.map { row in
            let status = try TransferModel.Status.read(row.status, table: TransferModel.schema, row: row.id, column: "status")
            return TransferDTO(
                id: row.id, teacherID: row.teacher_id, teacherName: row.teacher_name,
                residentID: ResidentID(canonical: row.resident_id)?.masked ?? "******",
                fromCounty: regions.region(code: row.from_county_code)?.name ?? row.from_county_code, fromSchool: row.from_school,
                toCountyCode: row.to_county_code, toCounty: regions.region(code: row.to_county_code)?.name ?? row.to_county_code,
                toSchool: row.to_school, requestedSchool: row.requested_school, status: row.status, statusLabel: status.label,
                note: row.note, decisionReason: row.decision_reason, requestedBy: row.requested_by, requestedAt: row.requested_at,
                decidedAt: row.decided_at,
                mayAccept: status == .pending && user.role == .county && user.regionCode == row.to_county_code,
                mayCancel: status == .pending && user.scope.contains(regionCode: row.from_county_code, in: regions))
        }
    }

    /// Where a transfer's row links and posts to.
    struct RowLinks: Encodable, Sendable {
        let teacherURL: String
        let acceptURL: String
        let rejectURL: String
        let cancelURL: String

        init(_ transfer: TransferDTO) {
            teacherURL = SiteURL.teachers(.teacher(.value(transfer.teacherID))).path
            acceptURL = SiteURL.teachers(.transfer(.value(transfer.id), .accept)).path
            rejectURL = SiteURL.teachers(.transfer(.value(transfer.id), .reject)).path
            cancelURL = SiteURL.teachers(.transfer(.value(transfer.id), .cancel)).path
        }
    }

    struct Page: Encodable, Sendable {
        let pageTitle = "教师调动"
        let listURL = SiteURL.teachers(.list).path
        let incoming: [Linked<TransferDTO, RowLinks>]
        let others: [Linked<TransferDTO, RowLinks>]
        let hasIncoming: Bool
        let hasOthers: Bool
        let schools: [String]
        let notice: String?
    }

    private func render(_ request: Vapor.Request, notice: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let service = try service(request)
        let all = try await Self.load(service, on: request.sql)
        let incoming = all.filter(\.mayAccept)
        let others = all.filter { !$0.mayAccept }
        var schools: [String] = []
        if service.user.role == .county, let county = service.user.regionCode, !incoming.isEmpty {
            schools = try await SchoolModel.query(on: request.db).filter(\.$countyCode == county).sort(\.$name).all().map(\.name)
        }
        let page = Page(incoming: incoming.map { Linked($0, RowLinks($0)) }, others: others.map { Linked($0, RowLinks($0)) }, hasIncoming: !incoming.isEmpty, hasOthers: !others.isEmpty,
                        schools: schools, notice: notice)
        return try await request.renderPage("transfers", page).encodeResponse(status: status, for: request)
    }

    @Sendable func page(request: Vapor.Request) async throws -> Response {
        try await render(request, notice: nil)
    }

    private func transferID(_ request: Vapor.Request) throws -> Int {
        guard let id = request.parameters.get(.transferID, as: Int.self) else { throw AppError.notFound("调动申请") }
        return id
    }

    private func teacherID(_ request: Vapor.Request) throws -> Int {
        guard let id = request.parameters.get(.teacherID, as: Int.self) else { throw AppError.notFound("教师") }
        return id
    }

    struct Decision: Content {
        var school: String?
        var reason: String?
    }

    @Sendable func requestTransfer(request: Vapor.Request) async throws -> Response {
        let id = try teacherID(request)
        let input = try request.content.decode(TeacherTransfers.Request.self)
        do {
            _ = try await service(request).request(teacherID: id, input)
            return request.redirect(to: SiteURL.teachers(.teacher(.value(id))).path, redirectType: .normal)
        } catch let refusal as InputRefusal {
            throw AppError(.unprocessableEntity, code: refusal.code, refusal.message)
        }
    }

    private func decide(_ request: Vapor.Request, _ work: (TeacherTransfers, Int, Decision) async throws -> TransferModel,
                        notice: (TransferModel) -> String) async throws -> Response {
        let decision = try request.content.decode(Decision.self)
        do {
            let transfer = try await work(try service(request), try transferID(request), decision)
            return try await render(request, notice: notice(transfer))
        } catch let refusal as InputRefusal {
            throw AppError(.unprocessableEntity, code: refusal.code, refusal.message)
        }
    }

    @Sendable func accept(request: Vapor.Request) async throws -> Response {
        try await decide(request, { try await $0.accept($1, school: $2.school) }, notice: { "已接收第 \($0.id!) 号调动" })
    }

    @Sendable func reject(request: Vapor.Request) async throws -> Response {
        try await decide(request, { try await $0.reject($1, reason: $2.reason) }, notice: { "已拒绝第 \($0.id!) 号调动" })
    }

    @Sendable func cancel(request: Vapor.Request) async throws -> Response {
        try await decide(request, { service, id, _ in try await service.cancel(id) }, notice: { "已撤销第 \($0.id!) 号调动" })
    }

    @Sendable func apiList(request: Vapor.Request) async throws -> [TransferDTO] {
        try await Self.load(try service(request), on: request.sql)
    }

    private func one(_ request: Vapor.Request, _ id: Int) async throws -> TransferDTO {
        guard let dto = try await Self.load(try service(request), transferID: id, on: request.sql).first else {
            throw AppError.notFound("调动申请")
        }
        return dto
    }

    @Sendable func apiRequest(request: Vapor.Request) async throws -> Response {
        let transfer = try await service(request).request(teacherID: try teacherID(request), try request.content.decode(TeacherTransfers.Request.self))
        return try await one(request, transfer.id!).encodeResponse(status: .created, for: request)
    }

    @Sendable func apiAccept(request: Vapor.Request) async throws -> TransferDTO {
        let decision = try request.content.decode(Decision.self)
        return try await one(request, try await service(request).accept(try transferID(request), school: decision.school).id!)
    }

    @Sendable func apiReject(request: Vapor.Request) async throws -> TransferDTO {
        let decision = try request.content.decode(Decision.self)
        return try await one(request, try await service(request).reject(try transferID(request), reason: decision.reason).id!)
    }

    @Sendable func apiCancel(request: Vapor.Request) async throws -> TransferDTO {
        try await one(request, try await service(request).cancel(try transferID(request)).id!)
    }
}
