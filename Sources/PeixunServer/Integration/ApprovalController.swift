import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

/// The city's and the province's view of a batch: each county's (or city's) state and
/// figures, with send back / submit / approve / reopen; on the web and in the API.
struct ApprovalController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.integration(.overview(.key)), use: page)
        routes.get(.integration(.apiOverview(.key)), use: api)
        routes.post(.integration(.entry(.key, .assign))) { try await self.assign(request: $0, api: false) }
        routes.post(.integration(.apiEntry(.key, .assign))) { try await self.assign(request: $0, api: true) }
        routes.post(.integration(.deadline(.key))) { try await self.deadline(request: $0, api: false) }
        routes.patch(.integration(.apiBatch(.key))) { try await self.deadline(request: $0, api: true) }
        for action in Action.allCases {
            routes.post(.integration(.decide(.key, action))) { try await self.act(action, request: $0, api: false) }
            routes.post(.integration(.apiDecide(.key, action))) { try await self.act(action, request: $0, api: true) }
        }
    }

    /// Send back, submit, approve or reopen; each is a path under the batch.
    typealias Action = SiteURL.Integration.Decision

    struct Row: Content {
        let code: String
        let name: String
        let state: String
        let stateLabel: String
        let late: Bool
        let reason: String?
        let allocated: Int
        let verified: Int
        let rejected: Int
        let added: Int
        let actions: WorkflowActions
    }

    struct OverviewDTO: Content {
        let batchID: Int
        let project: String
        let year: Int
        let deadline: String
        /// "city": rows are the city's counties; "province": rows are cities.
        let level: String
        let region: String
        let regionName: String
        let state: String
        let actions: WorkflowActions
        /// The province may move the deadline (`PATCH /api/v1/integration/{batch}`).
        let mayChangeDeadline: Bool
        let rows: [Row]
        /// The province's 待分配 entries (county not recognised); empty for a city.
        let triage: [Waiting]
    }

    struct Waiting: Content {
        let id: Int
        let name: String
        let residentID: String
        let listedCounty: String?
        let school: String?
    }

    private func approval(_ request: Request) throws -> BatchApproval {
        let user = try request.requireUser()
        guard [.province, .city].contains(user.role) else { throw AppError.notFound() }
        return BatchApproval(database: request.db, regions: request.application.regions, user: user, actor: .init(request), clock: request.clock)
    }

    private func overview(_ request: Request) async throws -> OverviewDTO {
        let approval = try approval(request)
        let regions = request.application.regions
        guard let batchID = request.parameters.get(.batchID, as: Int.self),
              let batch = try await IntegrationBatchModel.find(batchID, on: request.db),
              let project = try await ProjectModel.find(batch.projectID, on: request.db) else { throw AppError.notFound("整合批次") }
        let user = approval.user
        let cityCode = user.role == .city ? user.regionCode! : try request.query.get(String?.self, at: "city")
        if let cityCode {
            guard user.scope.contains(regionCode: cityCode, in: regions) else { throw AppError.notFound("市(州)") }
        }
        // One pass over the batch's entries (index-only, `integration_entries_city_figures`) gives every
        // row's figures and open conflicts — for the province by city and county, which also tells
        // each city's counties with entries (a second pass over the 200,000 entries did: 56 ms on
        // PostgreSQL); the states come from one read of the submissions.
        struct Figures: Decodable {
            let code: String; let county: String?
            var allocated: Int; var verified: Int; var rejected: Int; var added: Int; var conflicts: Int
        }
        let keyColumn = cityCode == nil ? "city_code" : "county_code"
        let filter: SQLQueryString = cityCode.map { "AND city_code = \(bind: $0)" } ?? ""
        let groups: SQLQueryString = cityCode == nil ? "city_code, county_code" : "county_code"
        var figures: [Figures] = []
        var countiesOfCity: [String: [String]] = [:]
        for row in try await request.sql.raw("""
            SELECT \(ident: keyColumn) AS code, county_code AS county, \(EntryFigures.columns())
            FROM integration_entries WHERE batch_id = \(bind: batchID) AND \(ident: keyColumn) IS NOT NULL \(filter)
              AND \(user.scope.predicate())
            GROUP BY \(groups) ORDER BY \(groups)
            """).all(decoding: Figures.self) {
            if cityCode == nil, let county = row.county { countiesOfCity[row.code, default: []].append(county) }
            guard var last = figures.last, last.code == row.code else { figures.append(row); continue }
            last.allocated += row.allocated
            last.verified += row.verified
            last.rejected += row.rejected
            last.added += row.added
            last.conflicts += row.conflicts
            figures[figures.count - 1] = last
        }
        let submissions = Dictionary(uniqueKeysWithValues: try await SubmissionModel.query(on: request.db)
            .filter(\.$workflow == ApprovalWorkflowKind.integration.rawValue).filter(\.$subjectID == batchID).all().map { ($0.regionCode, $0) })
        let states = try submissions.mapValues { try $0.state() }
        func state(_ code: String) -> ApprovalState { states[code] ?? .open }
        let rows = figures.map { figure in
            let actions = if let cityCode {
                IntegrationWorkflow.countyActions(role: user.role, county: state(figure.code), city: state(cityCode), openConflicts: figure.conflicts)
            } else {
                IntegrationWorkflow.cityActions(role: user.role, city: state(figure.code), counties: (countiesOfCity[figure.code] ?? []).map(state))
            }
            return Row(code: figure.code, name: regions.region(code: figure.code)?.name ?? figure.code, state: state(figure.code).rawValue,
                       stateLabel: state(figure.code).label, late: submissions[figure.code]?.late ?? false,
                       reason: submissions[figure.code]?.returnedReason, allocated: figure.allocated, verified: figure.verified,
                       rejected: figure.rejected, added: figure.added, actions: actions)
        }
        let region = cityCode ?? user.scope.root(in: regions) ?? regions.province.code
        let actions = cityCode == nil ? WorkflowActions()
            : IntegrationWorkflow.cityActions(role: user.role, city: state(region), counties: figures.map { state($0.code) })
        return OverviewDTO(
            batchID: batchID, project: project.name, year: batch.year, deadline: batch.deadline, level: cityCode == nil ? "province" : "city",
            region: region, regionName: regions.region(code: region)?.name ?? region, state: state(region).rawValue,
            actions: actions, mayChangeDeadline: user.isTopOffice, rows: rows,
            triage: user.isTopOffice && cityCode == nil
                ? try await IntegrationEntryModel.query(on: request.db).filter(\.$batchID == batchID).filter(\.$countyCode == nil).sort(\.$id).all().map {
                    Waiting(id: $0.id!, name: $0.name, residentID: ResidentID(canonical: $0.residentID)?.masked ?? "******",
                            listedCounty: $0.listedCounty, school: $0.school)
                } : [])
    }

    struct Page: Encodable, Sendable {
        struct WaitingLinks: Encodable, Sendable { let assignURL: String }
        let pageTitle: String
        let view: OverviewDTO
        let isCity: Bool
        let hasRows: Bool
        let hasTriage: Bool
        /// A city's rows open each county's list, the province's each city's overview.
        let rows: [Linked<Row, RowURL>]
        let triage: [Linked<Waiting, WaitingLinks>]
        let links: BatchLinks
    }

    @Sendable func page(request: Request) async throws -> View {
        let view = try await overview(request)
        let isCity = view.level == "city"
        let batch = SiteURL.Parameter.value(view.batchID)
        let rows = view.rows.map { row in
            Linked(row, url: .integration(isCity ? .county(batch, county: row.code) : .overview(batch, city: row.code)))
        }
        let triage = view.triage.map { Linked($0, Page.WaitingLinks(assignURL: SiteURL.integration(.entry(.value($0.id), .assign)).path)) }
        return try await request.renderPage("integration-overview", Page(
            pageTitle: "\(view.regionName) · \(view.project) \(view.year)年", view: view, isCity: isCity, hasRows: !view.rows.isEmpty,
            hasTriage: !view.triage.isEmpty, rows: rows, triage: triage, links: BatchLinks(batchID: view.batchID)))
    }

    @Sendable func api(request: Request) async throws -> OverviewDTO {
        try await overview(request)
    }

    struct AssignForm: Content { let county: String? }

    private func assign(request: Request, api: Bool) async throws -> Response {
        let approval = try approval(request)
        guard let id = request.parameters.get(.entryID, as: Int.self) else { throw AppError.notFound("名单条目") }
        let county = try request.content.decode(AssignForm.self).county ?? ""
        let entry: IntegrationEntryModel
        do {
            entry = try await approval.assign(entryID: id, county: county)
        } catch let refusal as InputRefusal where !api {
            throw AppError(.unprocessableEntity, code: refusal.code, refusal.message)
        }
        if api { return try await ["id": entry.id!, "sequence": entry.sequence].encodeResponse(for: request) }
        return request.redirect(to: SiteURL.integration(.overview(.value(entry.batchID))).path, redirectType: .normal)
    }

    struct DeadlineForm: Content { let deadline: String? }

    private func deadline(request: Request, api: Bool) async throws -> Response {
        let approval = try approval(request)
        guard let batchID = request.parameters.get(.batchID, as: Int.self) else { throw AppError.notFound("整合批次") }
        let text = try request.content.decode(DeadlineForm.self).deadline
        do {
            _ = try await approval.setDeadline(batchID: batchID, to: text)
        } catch let refusal as InputRefusal where !api {
            throw AppError(.unprocessableEntity, code: refusal.code, refusal.message)
        }
        if api { return try await overview(request).encodeResponse(for: request) }
        return request.redirect(to: SiteURL.integration(.overview(.value(batchID))).path, redirectType: .normal)
    }

    struct Form: Content {
        var county: String?
        var city: String?
        var reason: String?
        var counties: [String]?
    }

    private func act(_ action: Action, request: Request, api: Bool) async throws -> Response {
        let approval = try approval(request)
        guard let batchID = request.parameters.get(.batchID, as: Int.self),
              try await IntegrationBatchModel.find(batchID, on: request.db) != nil else { throw AppError.notFound("整合批次") }
        let form = try request.content.decode(Form.self)
        do {
            switch action {
            case .sendBackCounty: try await approval.sendBackCounty(batchID: batchID, county: form.county ?? "", reason: form.reason)
            case .submitCity: try await approval.submitCity(batchID: batchID)
            case .sendBackCity: try await approval.sendBackCity(batchID: batchID, city: form.city ?? "", reason: form.reason, counties: form.counties ?? [])
            case .approve: _ = try await approval.approveCity(batchID: batchID, city: form.city ?? "")
            case .reopen: _ = try await approval.reopenCity(batchID: batchID, city: form.city ?? "")
            }
        } catch let refusal as InputRefusal where !api {
            throw AppError(.unprocessableEntity, code: refusal.code, refusal.message)
        }
        if api {
            if approval.user.role == .province, let city = form.city { request.url.query = "city=\(city)" }
            return try await overview(request).encodeResponse(for: request)
        }
        return request.redirect(to: SiteURL.integration(.overview(.value(batchID))).path, redirectType: .normal)
    }
}
