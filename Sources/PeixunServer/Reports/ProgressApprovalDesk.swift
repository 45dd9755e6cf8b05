import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

/// What a province, city or county does with a year's Appendix 1 on the approval engine: see
/// its own figures and state and those of the units below, confirm (submit) its own, send a
/// unit below back with a reason, approve or reopen a city (province).
struct ProgressApprovalDesk {
    let database: any Database
    let regions: RegionDirectory
    let user: CurrentUser
    let approvals: ApprovalService

    init(request: Request) throws {
        let user = try request.requireUser()
        guard [.province, .city, .county].contains(user.role) else { throw AppError.notFound() }
        database = request.db
        regions = request.application.regions
        self.user = user
        approvals = ApprovalService(hooks: ProgressApproval(regions: regions), regions: regions, user: user,
                                    actor: AuditLog.Actor(request), clock: request.clock)
    }

    struct UnitDTO: Content {
        let code: String
        let name: String
        /// `city` or `county`.
        let level: String
        let figures: ProgressDTO.Row
        let state: String
        let stateLabel: String
        let late: Bool
        let submittedAt: Date?
        let returnedReason: String?
        let actions: ApprovalActions
        /// The approved Appendix 1 kept for this city (`/frozen/{id}`), while the approval stands.
        let snapshotURL: String?
    }

    struct ViewDTO: Content {
        let year: Int
        let deadline: String
        let region: ProgressDTO.RegionRef
        /// The viewer's region as a unit (nil for the province, which approves).
        let unit: UnitDTO?
        /// The units below: the province's cities, a city's counties that take part.
        let units: [UnitDTO]
        /// A city's counties without official counts for the year's statistics: they have
        /// nothing to confirm, so the city does not wait for them.
        let withoutStatistics: [ProgressDTO.RegionRef]
        /// Says so in a sentence; nil when every county takes part.
        let withoutStatisticsNote: String?
    }

    static func year(_ value: Int?) throws -> Int {
        let year = value ?? ReportingYears.current
        guard ReportingTask.years.contains(year) else {
            throw AppError(.unprocessableEntity, code: "year.invalid", "年度无效：\(year)（应在 \(ReportingTask.years.lowerBound)–\(ReportingTask.years.upperBound) 之间）")
        }
        return year
    }

    func view(year: Int, region code: String?) async throws -> ViewDTO {
        let region = try user.visibleRegion(code, in: regions)
        // Figures of the units come from their parent's Appendix 1 rows: the same numbers the report shows.
        let reports = ProgressReportService(database: database as! any SQLDatabase, regions: regions)
        var figures: [String: ProgressDTO.Row] = [:]
        if let parent = region.parentCode, region.level == .county {
            for row in ProgressDTO(try await reports.report(year: year, regionCode: parent)).rows { figures[row.code] = row }
        } else {
            let dto = ProgressDTO(try await reports.report(year: year, regionCode: region.code))
            for row in dto.rows { figures[row.code] = row }
            figures[region.code] = dto.total
        }
        var children = region.level == .county ? [] : regions.children(of: region.code)
        var left: [Region] = []
        if region.level == .city {
            let taking = Set(try await ProgressApproval(regions: regions).children(of: region, subject: year, on: database))
            left = children.filter { !taking.contains($0.code) }
            children = children.filter { taking.contains($0.code) }
        }
        let codes = children.map(\.code) + [region.code]
        var submissions: [String: SubmissionModel] = [:]
        var snapshots: [String: Int] = [:]
        for chunk in codes.chunked(into: 1000) {
            for row in try await SubmissionModel.query(on: database).filter(\.$workflow == ApprovalWorkflowKind.completion.rawValue)
                .filter(\.$subjectID == year).filter(\.$regionCode ~~ chunk).all() { submissions[row.regionCode] = row }
            for row in try await FrozenTableModel.query(on: database).filter(\.$kind == FrozenKind.progress.rawValue)
                .filter(\.$subjectID == year).filter(\.$regionCode ~~ chunk).filter(\.$reopenedAt == nil).all() { snapshots[row.regionCode] = row.id }
        }
        func unit(_ region: Region) async throws -> UnitDTO {
            let submission = submissions[region.code]
            let state = try submission?.state() ?? .open
            return UnitDTO(code: region.code, name: region.name, level: region.level.rawValue,
                           figures: figures[region.code] ?? ProgressDTO.Row(code: region.code, name: region.name, figures: .zero),
                           state: state.rawValue, stateLabel: state.label, late: submission?.late ?? false, submittedAt: submission?.submittedAt,
                           returnedReason: state == .returned ? submission?.returnedReason : nil,
                           actions: try await approvals.actions(region, subject: year, on: database),
                           snapshotURL: snapshots[region.code].map { SiteURL.frozen(.show(.value($0))).path })
        }
        var units: [UnitDTO] = []
        for child in children { units.append(try await unit(child)) }
        return ViewDTO(year: year, deadline: try await TaskDeadlines(database: database).deadline(ProgressApproval.task, year: year).description,
                       region: .init(code: region.code, name: regions.qualifiedName(of: region)),
                       unit: region.level == .province ? nil : try await unit(region), units: units,
                       withoutStatistics: left.map { .init(code: $0.code, name: $0.name) },
                       withoutStatisticsNote: left.isEmpty ? nil
                           : "以下县(市、区)本年度无统计数据（专任教师数），不参与确认：\(left.map(\.name).joined(separator: "、"))")
    }

    /// Submit (own unit: 确认), send back (a unit below, with a reason), approve or reopen (a city,
    /// province). Returns the region whose view shows the outcome.
    func decide(_ decision: SiteURL.Reports.Decision, year: Int, region code: String?, reason: String?) async throws -> String? {
        let target = try await approvals.step(decision.kind, subject: year, region: code, reason: reason,
                                              report: "\(year)年培训实施情况", codePrefix: "progress", on: database)
        return decision == .submit ? target.code : target.parentCode
    }
}
