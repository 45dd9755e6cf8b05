import Fluent
import Foundation
import PeixunCore
import SQLKit

/// The levels above the county: the city sends counties back or submits the city; the
/// province approves a city — its verified entries become `passed` records at level
/// `cooperation` — sends it back, or reopens an approved city (withdrawing those records).
struct BatchApproval {
    let database: any Database
    let regions: RegionDirectory
    let user: CurrentUser
    let actor: AuditLog.Actor
    let clock: any AppClock

    var approvals: ApprovalService {
        ApprovalService(hooks: IntegrationApproval(regions: regions, clock: clock), regions: regions, user: user, actor: actor, clock: clock)
    }

    /// The counties of a city that have entries in the batch, with their states.
    func countyStates(batchID: Int, city: String, on db: any Database) async throws -> [String: ApprovalState] {
        guard let region = regions.region(code: city) else { return [:] }
        let counties = try await IntegrationApproval(regions: regions, clock: clock).children(of: region, subject: batchID, on: db)
        return try await approvals.states(subject: batchID, regions: counties, on: db)
    }

    func cityActions(batchID: Int, city: String, on db: any Database) async throws -> WorkflowActions {
        guard let region = regions.region(code: city) else { return WorkflowActions() }
        return IntegrationWorkflow.actions(role: user.role, on: try await approvals.unit(region, subject: batchID, on: db))
    }

    func requireProvince() throws {
        guard user.role == .province else { throw AppError(.forbidden, code: "integration.not_province", "只有省执行办可以审核、退回或重新打开市(州)名单") }
    }

    /// What belongs to the whole batch — its deadline, the entries no county claims — is the
    /// top office's alone (`CurrentUser.isTopOffice`).
    func requireTopOffice() throws {
        try user.requireTopOffice(code: "integration.not_province", "修改整合名单的截止日期或分配人员")
    }

    private func requireCity(_ city: String) throws -> Region {
        guard let region = regions.region(code: city), region.level == .city, user.scope.contains(regionCode: city, in: regions) else {
            throw AppError.notFound("市(州)")
        }
        return region
    }

    private func reasonText(_ reason: String?) throws -> String {
        guard let text = reason.map(TeacherRowValidator.clean), !text.isEmpty else {
            throw InputRefusal(field: "退回原因", code: "reason.missing", "请填写退回原因")
        }
        return String(text.prefix(200))
    }

    /// 市(州) sends one submitted county back, with the reason the county reads.
    func sendBackCounty(batchID: Int, county: String, reason: String?) async throws {
        let text = try reasonText(reason)
        guard let region = regions.region(code: county), region.level == .county, user.scope.contains(regionCode: county, in: regions) else {
            throw AppError.notFound("县(市、区)")
        }
        try await database.transaction { db in
            try await approvals.apply(.sendBack(reason: text), to: region, subject: batchID, on: db)
        }
    }

    /// 市(州) submits once every county with entries has submitted.
    func submitCity(batchID: Int) async throws {
        guard user.role == .city, let city = user.regionCode, let region = regions.region(code: city) else {
            throw AppError(.forbidden, code: "integration.not_city", "只有市(州)可以提交本市(州)名单")
        }
        try await database.transaction { db in
            guard try await IntegrationBatchModel.find(batchID, on: db) != nil else { throw AppError.notFound("整合批次") }
            do {
                try await approvals.apply(.submit, to: region, subject: batchID, on: db)
            } catch let error as AppError where error.code == "approval.children_open" {
                let open = try await countyStates(batchID: batchID, city: city, on: db).filter { $0.value != .submitted }.keys
                    .compactMap { regions.region(code: $0)?.name }.sorted()
                throw AppError(.conflict, code: "integration.counties_open", "以下县(市、区)尚未提交：\(open.joined(separator: "、"))")
            }
        }
    }

    /// 省执行办 sends a submitted city back; the counties it names reopen too.
    func sendBackCity(batchID: Int, city: String, reason: String?, counties: [String]) async throws {
        let text = try reasonText(reason)
        try requireProvince()
        let region = try requireCity(city)
        try await database.transaction { db in
            try await approvals.apply(.sendBack(reason: text), to: region, subject: batchID, alsoReturn: counties, on: db)
        }
    }

    /// 省执行办 approves a submitted city (see `IntegrationApproval.didApprove`).
    func approveCity(batchID: Int, city: String) async throws {
        try await provinceStep(.approve, batchID: batchID, city: city)
    }

    /// 省执行办 reopens an approved city (explicit, audited): the records the approval created
    /// are withdrawn in the same transaction and the city may be sent back or approved again.
    func reopenCity(batchID: Int, city: String) async throws {
        try await provinceStep(.reopen, batchID: batchID, city: city)
    }

    private func provinceStep(_ event: ApprovalEvent, batchID: Int, city: String) async throws {
        try requireProvince()
        let region = try requireCity(city)
        try await database.transaction { db in
            guard try await IntegrationBatchModel.find(batchID, on: db) != nil else { throw AppError.notFound("整合批次") }
            try await approvals.apply(event, to: region, subject: batchID, on: db)
        }
    }
}

extension BatchApproval {
    /// 省级待分配: the province places an entry whose county could not be read from the list.
    func assign(entryID: Int, county code: String) async throws -> IntegrationEntryModel {
        guard user.isTopOffice else { throw AppError.notFound("名单条目") }
        return try await database.transaction { db in
            guard let entry = try await IntegrationEntryModel.find(entryID, on: db) else { throw AppError.notFound("名单条目") }
            let match = regions.resolve(code, level: .county)
            guard let county = match.region else {
                throw InputRefusal(field: "县(市、区)", code: "region.unknown", regions.unresolvedMessage(match, typed: code) ?? "")
            }
            guard entry.countyCode == nil else {
                throw AppError(.conflict, code: "integration.placed", "该人员已分配到县(市、区)，无需再分配")
            }
            let sql = db as! any SQLDatabase
            struct Last: Decodable { let last: Int? }
            let last = try await sql.raw("SELECT MAX(sequence) AS last FROM integration_entries WHERE batch_id = \(bind: entry.batchID) AND county_code = \(bind: county.code)")
                .first(decoding: Last.self)?.last ?? 0
            entry.countyCode = county.code
            entry.cityCode = county.parentCode
            entry.sequence = last + 1
            entry.conflict = nil
            try await entry.update(on: db)
            let projectID = try await IntegrationBatchModel.find(entry.batchID, on: db)?.projectID ?? 0
            try await IntegrationEntries.markConflicts(batchID: entry.batchID, projectID: projectID,
                                                       entries: "e.id = \(bind: entryID)", on: sql)
            entry.conflict = try await IntegrationEntryModel.find(entryID, on: db)?.conflict
            try await AuditLog.record(on: db, actor: actor, action: .update, objectType: "integration_entry", objectID: String(entryID),
                                      countyCode: county.code, cityCode: county.parentCode,
                                      changes: ["county": .init(before: entry.listedCounty, after: county.code)],
                                      summary: "将待分配人员 \(entry.name) 分配到\(county.name)")
            return entry
        }
    }
}
