import Fluent
import Foundation
import PeixunCore
import Vapor

/// The plan as a signed-in office works on it: a county fills in and submits its row, its city
/// sends counties back (with a reason) and submits, the province approves, sends back or
/// reopens a city — every step on the approval engine, in one transaction, audited.
struct PlanBook {
    let database: any Database
    let regions: RegionDirectory
    let user: CurrentUser
    let actor: AuditLog.Actor
    let clock: any AppClock

    init(request: Request) throws {
        let user = try request.requireUser()
        // Plans are the education offices' business; everybody else finds nothing here.
        guard [.province, .city, .county].contains(user.role) else { throw AppError.notFound() }
        self.user = user
        database = request.db
        regions = request.application.regions
        actor = .init(request)
        clock = request.clock
    }

    /// For the command line, acting as a stored user.
    init(application: Application, user: CurrentUser, actor: AuditLog.Actor) {
        self.user = user
        self.actor = actor
        database = application.db
        regions = application.regions
        clock = application.clock
    }

    var approvals: ApprovalService {
        ApprovalService(hooks: PlanApproval(regions: regions), regions: regions, user: user, actor: actor, clock: clock)
    }

    var tables: PlanTable { PlanTable(database: database, regions: regions, approvals: approvals) }

    static let years = 2014...2100

    static func year(_ value: Int?) throws -> Int {
        guard let value else { return ReportingYears.current + 1 }
        guard years.contains(value) else {
            throw AppError.badRequest(code: "year.invalid", "年度无效（\(value)）：应为\(years.lowerBound)至\(years.upperBound)之间的四位年份")
        }
        return value
    }

    /// A region the user reaches (its own by default); outside its reach is the same as not existing.
    func region(_ code: String?) throws -> Region {
        let code = code?.trimmingCharacters(in: .whitespaces).nilIfEmpty ?? user.scope.root(in: regions)
        guard let code, user.scope.contains(regionCode: code, in: regions), let region = regions.region(code: code) else {
            throw AppError.notFound("行政区划")
        }
        return region
    }

    /// The county's entries replace what it stored; refused once the county has submitted.
    func save(year: Int, county code: String, entry raw: PlanEntry) async throws -> PlanTableDTO.Row {
        let county = try region(code)
        guard county.level == .county else { throw AppError.notFound("县(市、区)") }
        guard user.role == .county, user.regionCode == county.code else {
            throw AppError(.forbidden, code: "plan.not_county", "培训计划由各县(市、区)填报，上级只能审核或退回")
        }
        let entry: PlanEntry
        do {
            entry = try raw.validated()
        } catch {
            throw AppError(.unprocessableEntity, code: error.code, error.message)
        }
        try await database.transaction { db in
            let actions = try await approvals.actions(county, subject: year, on: db)
            guard actions.mayEdit else {
                let state = try await approvals.state(subject: year, region: county.code, on: db)
                throw AppError(.conflict, code: "plan.locked",
                               "本县\(year)年培训计划\(state.isEditable ? "已由市(州)提交" : "已\(state.label)")，不能修改；如需修改请联系市(州)退回")
            }
            let before = try await store(entry, year: year, county: county, on: db)
            var changes: [String: AuditLog.Change] = [:]
            func note(_ key: String, _ old: String?, _ new: String?) { if old != new { changes[key] = .init(before: old, after: new) } }
            note("provincialDemand", before?.provincialDemand.map(String.init), entry.provincialDemand.map(String.init))
            note("localPlan", before?.localPlan.map(String.init), entry.localPlan.map(String.init))
            note("usesProvincialPlatform", before.map { String($0.usesProvincialPlatform) }, String(entry.usesProvincialPlatform))
            note("remarks", before?.remarks, entry.remarks)
            try await AuditLog.record(on: db, actor: actor, action: .update, objectType: "plan", objectID: String(year),
                                      countyCode: county.code, cityCode: county.parentCode, changes: changes,
                                      summary: "填报\(county.name)\(year)年培训计划")
        }
        return try await tables.table(year: year, region: county).total
    }

    /// Writes a county's entry (a new row or over the stored one); returns what was stored before.
    @discardableResult
    func store(_ entry: PlanEntry, year: Int, county: Region, on db: any Database) async throws -> PlanEntry? {
        let model = try await PlanModel.query(on: db).filter(\.$year == year).filter(\.$countyCode == county.code).first() ?? PlanModel()
        let before = model.id == nil ? nil : model.entry
        model.year = year
        model.countyCode = county.code
        model.cityCode = county.parentCode!
        model.provincialDemand = entry.provincialDemand
        model.localPlan = entry.localPlan
        model.usesProvincialPlatform = entry.usesProvincialPlatform
        model.remarks = entry.remarks
        model.updatedBy = user.username
        model.updatedAt = clock.now()
        try await model.save(on: db)
        return before
    }

    struct DecisionForm: Content {
        var reason: String?
        /// 填表人 and 联系电话 when submitting; the user's name by default.
        var filler: String?
        var phone: String?
        /// The counties a province's send-back reopens with the city.
        var counties: [String]?
    }

    /// Applies one approval step to `code`'s unit: the county's or city's own submission, the
    /// city's send-back of a county, the province's approval, send-back or reopening of a city.
    @discardableResult
    func decide(_ decision: SiteURL.Plans.Decision, year: Int, region code: String, form: DecisionForm) async throws -> Region {
        let unit = try region(code)
        guard unit.level != .province else { throw AppError.notFound("行政区划") }
        var signature: (filler: String, phone: String)?
        let event: ApprovalEvent
        switch decision {
        case .submit:
            event = .submit
            let filler = String(TextCleaning.clean(form.filler ?? "").prefix(40)).nilIfEmpty ?? user.displayName
            let phone = TextCleaning.clean(form.phone ?? "")
            guard phone.count <= 30, phone.allSatisfy({ $0.isASCII && ($0.isNumber || "-+() ".contains($0)) }) else {
                throw AppError(.unprocessableEntity, code: "phone.invalid", "联系电话只能包含数字和“-”，例如 028-86721266 或 13800000000")
            }
            signature = (filler, phone)
        case .sendBack: event = .sendBack(reason: form.reason ?? "")
        case .approve: event = .approve
        case .reopen: event = .reopen
        }
        let signed = signature
        try await database.transaction { db in
            do {
                try await approvals.apply(event, to: unit, subject: year, alsoReturn: form.counties ?? [], on: db)
            } catch let error as AppError where error.code == "approval.children_open" {
                let states = try await approvals.states(subject: year, regions: regions.counties(in: unit.code).map(\.code), on: db)
                let open = states.filter { $0.value != .submitted && $0.value != .approved }.keys.sorted().compactMap { regions.region(code: $0)?.name }
                throw AppError(.conflict, code: "plan.counties_open", "以下县(市、区)尚未提交：\(open.joined(separator: "、"))")
            }
            if let signature = signed {
                let row = try await PlanSignatureModel.query(on: db).filter(\.$year == year).filter(\.$regionCode == unit.code).first()
                    ?? PlanSignatureModel()
                row.year = year
                row.regionCode = unit.code
                row.username = user.username
                row.filler = signature.filler
                row.phone = signature.phone
                row.signedAt = clock.now()
                try await row.save(on: db)
            }
        }
        return unit
    }
}
