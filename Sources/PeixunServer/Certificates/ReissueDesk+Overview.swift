import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

/// What the reissue desks show: a region's rounds and units, and requests as rows.
extension ReissueDesk {
    /// One county's part of a round (in a city's desk) or one city's round (in the province's).
    struct UnitDTO: Content {
        let code: String
        let name: String
        let roundID: Int
        let state: String
        let stateLabel: String
        let returnedReason: String?
        let requests: Int
        let accepted: Int
        let actions: ApprovalActions
    }

    struct OverviewDTO: Content {
        /// `province`, `city`, `county` (the region's level) or `institution`.
        let level: String
        let region: String?
        let regionName: String
        /// The round shown: the city's newest.
        let roundID: Int?
        /// The region's own part of the round (a city or county).
        let state: String?
        let stateLabel: String?
        let returnedReason: String?
        let actions: ApprovalActions
        /// The province: each city's newest round; a city: the counties taking part.
        let units: [UnitDTO]
        let requests: [ReissueRequestDTO]
    }

    func overview(region code: String?) async throws -> OverviewDTO {
        let db = database
        if user.role == .institution {
            struct Row: Decodable { let id: Int }
            let sql = db as! any SQLDatabase
            let ids = try await sql.raw("""
                SELECT r.id FROM reissue_requests r WHERE \(InstitutionProjects.linked(teacherColumn: "r.teacher_id", userID: user.id))
                ORDER BY CASE WHEN r.status = \(bind: ReissueStatus.statement.rawValue) THEN 0 ELSE 1 END, r.id DESC LIMIT 200
                """).all(decoding: Row.self).map(\.id)
            let models = ids.isEmpty ? [] : try await ReissueRequestModel.query(on: db).filter(\.$id ~~ ids).all()
            let byID = Dictionary(uniqueKeysWithValues: models.map { ($0.id!, $0) })
            return OverviewDTO(level: "institution", region: nil, regionName: user.displayName, roundID: nil, state: nil, stateLabel: nil,
                               returnedReason: nil, actions: ApprovalActions(), units: [],
                               requests: try await dtos(ids.compactMap { byID[$0] }))
        }
        guard [.province, .city, .county].contains(user.role), let root = user.scope.root(in: regions) else { throw AppError.notFound() }
        let regionCode = code.flatMap { $0.isEmpty ? nil : $0 } ?? root
        guard let region = regions.region(code: regionCode), user.scope.contains(regionCode: regionCode, in: regions) else {
            throw AppError.notFound("行政区划")
        }
        let service = approvals
        func submission(_ round: Int, _ code: String) async throws -> SubmissionModel? {
            try await SubmissionModel.query(on: db).filter(\.$workflow == ApprovalWorkflowKind.reissue.rawValue)
                .filter(\.$subjectID == round).filter(\.$regionCode == code).first()
        }
        func counts(_ round: Int, _ filter: (QueryBuilder<ReissueRequestModel>) -> QueryBuilder<ReissueRequestModel>) async throws -> (Int, Int) {
            let all = try await filter(ReissueRequestModel.query(on: db).filter(\.$roundID == round).scoped(to: user.scope))
                .filter(\.$storedStatus != ReissueStatus.returned.rawValue).all()
            return (all.count, all.filter { $0.storedStatus == ReissueStatus.accepted.rawValue || $0.storedStatus == ReissueStatus.reissued.rawValue }.count)
        }
        func unit(_ region: Region, round: Int, counting filter: (QueryBuilder<ReissueRequestModel>) -> QueryBuilder<ReissueRequestModel>) async throws -> UnitDTO {
            let row = try await submission(round, region.code)
            let state = try row?.state() ?? .open
            let (requests, accepted) = try await counts(round, filter)
            return UnitDTO(code: region.code, name: region.name, roundID: round, state: state.rawValue, stateLabel: state.label,
                           returnedReason: state == .returned ? row?.returnedReason : nil, requests: requests, accepted: accepted,
                           actions: try await service.actions(region, subject: round, on: db))
        }
        if region.level == .province {
            var units: [UnitDTO] = []
            for city in regions.children(of: region.code) {
                guard let round = try await ReissueRoundModel.query(on: db).filter(\.$cityCode == city.code).sort(\.$id, .descending).first() else { continue }
                units.append(try await unit(city, round: round.id!) { $0.filter(\.$cityCode == city.code) })
            }
            return OverviewDTO(level: "province", region: region.code, regionName: region.name, roundID: nil, state: nil, stateLabel: nil,
                               returnedReason: nil, actions: ApprovalActions(), units: units, requests: [])
        }
        let cityCode = region.level == .city ? region.code : region.parentCode!
        guard let round = try await ReissueRoundModel.query(on: db).filter(\.$cityCode == cityCode).sort(\.$id, .descending).first()?.id else {
            return OverviewDTO(level: region.level.rawValue, region: region.code, regionName: regions.qualifiedName(of: region), roundID: nil,
                               state: nil, stateLabel: nil, returnedReason: nil, actions: ApprovalActions(), units: [], requests: [])
        }
        var units: [UnitDTO] = []
        if region.level == .city {
            for county in try await hooks.children(of: region, subject: round, on: db).sorted().compactMap(regions.region(code:)) {
                units.append(try await unit(county, round: round) { $0.filter(\.$countyCode == county.code) })
            }
        }
        let own = try await unit(region, round: round) { $0.within(region) }
        let requests = try await ReissueRequestModel.query(on: db).filter(\.$roundID == round).scoped(to: user.scope).within(region)
            .sort(\.$countyCode).sort(\.$id).all()
        return OverviewDTO(level: region.level.rawValue, region: region.code, regionName: regions.qualifiedName(of: region), roundID: round,
                           state: own.state, stateLabel: own.stateLabel, returnedReason: own.returnedReason,
                           actions: own.actions, units: units, requests: try await dtos(requests))
    }

    /// A teacher's own requests, newest first.
    func requests(ofTeacher teacherID: Int) async throws -> [ReissueRequestDTO] {
        try await dtos(try await ReissueRequestModel.query(on: database).filter(\.$teacherID == teacherID).sort(\.$id, .descending).all())
    }

    func dtos(_ models: [ReissueRequestModel]) async throws -> [ReissueRequestDTO] {
        var editable: [String: Bool] = [:]
        var rows: [ReissueRequestDTO] = []
        let files = try await ReissueStatementFileModel.described(for: models.compactMap(\.id), on: database)
        for model in models {
            let key = "\(model.roundID) \(model.countyCode)"
            if editable[key] == nil { editable[key] = try await countyMayEdit(model, on: database) }
            rows.append(try await dto(model, countyMayEdit: editable[key]!, file: files[model.id!]))
        }
        return rows
    }

    func dto(_ model: ReissueRequestModel) async throws -> ReissueRequestDTO {
        try await dto(model, countyMayEdit: try await countyMayEdit(model, on: database),
                      file: try await ReissueStatementFileModel.described(for: [model.id!], on: database)[model.id!])
    }

    private func dto(_ model: ReissueRequestModel, countyMayEdit: Bool, file: StatementFileDTO?) async throws -> ReissueRequestDTO {
        guard let certificate = try await CertificateModel.find(model.certificateID, on: database) else { throw AppError.notFound("证书") }
        let snapshot = try certificate.snapshot()
        let status = try model.status(), kind = try model.kind()
        let linked = try await isLinked(teacher: model.teacherID, on: database)
        var newNumber: String?
        if let id = model.newCertificateID { newNumber = try await CertificateModel.find(id, on: database)?.number }
        let mayState = [.statement, .check].contains(status) && (user.role == .institution || user.role == .county && user.regionCode == model.countyCode && !linked)
        return ReissueRequestDTO(
            id: model.id!, roundID: model.roundID, certificateNumber: certificate.number, teacherName: snapshot.teacherName,
            maskedResidentID: snapshot.maskedResidentID, school: snapshot.school, county: model.countyCode,
            countyName: regions.region(code: model.countyCode)?.name ?? model.countyCode, kind: kind.rawValue, kindLabel: kind.label,
            correctedName: model.correctedName, reason: model.reason, status: status.rawValue, statusLabel: status.label,
            statement: model.statement, statementBy: model.statementBy, statementFile: file, returnedReason: model.returnedReason,
            requestedBy: model.requestedRole, requestedOn: CivilDate.today(now: model.requestedAt).description,
            institutionLinked: linked, newCertificateNumber: newNumber,
            mayState: mayState, mayAccept: countyMayEdit && status == .check, mayReturn: countyMayEdit && ReissueStatus.open.contains(status))
    }
}
