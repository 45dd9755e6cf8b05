import Foundation
import PeixunCore
import SQLKit
import Vapor

/// Where each batch stands for one region (the user's, or a county a city looks into):
/// allocated, verified, rejected, added, still to check, open conflicts, the region's own state,
/// how many of its counties or cities are through, and the days left to the deadline.
struct IntegrationDashboard {
    let sql: any SQLDatabase
    let regions: RegionDirectory
    let user: CurrentUser

    struct BatchStatus: Content {
        let id: Int
        let project: String
        let year: Int
        let deadline: String
        let allocated: Int
        let verified: Int
        let rejected: Int
        let added: Int
        /// Neither verified nor rejected yet.
        let pending: Int
        /// Pending entries with a conflict the county still has to decide.
        let conflicts: Int
        /// The region's own submission state; nil for the province.
        let state: String?
        let stateLabel: String?
        /// Counties (for a city) or cities (for the province) with entries, and how many are through
        /// (submitted by the county, approved by the province).
        let parts: Int
        let partsDone: Int
        let partsLabel: String
        /// Negative once passed; the label is "—" when the region has nothing left to submit.
        let daysLeft: Int
        let countdown: String
        let overdue: Bool
        let near: Bool
    }

    /// - Parameters:
    ///   - region: a county or city inside the user's scope to report on; nil: the user's own region.
    ///   - only: narrows the query to one batch.
    func batches(region: Region? = nil, only id: Int? = nil, today: CivilDate) async throws -> [BatchStatus] {
        let scope: RegionScope = switch region?.level {
        case .county?: .county(region!.code)
        case .city?: .city(region!.code)
        default: user.scope
        }
        let levelRegion = region?.code ?? user.regionCode
        let level = levelRegion.flatMap(regions.region(code:))?.level ?? .province
        let only: SQLQueryString = id.map { "WHERE b.id = \(bind: $0)" } ?? ""

        struct Figures: Decodable {
            let id: Int; let project: String; let year: Int; let deadline: String
            let allocated: Int; let verified: Int; let rejected: Int; let added: Int; let conflicts: Int
        }
        // Prepared on PostgreSQL: its text takes a few forms (the scope's level, one batch or all),
        // and planning it afresh cost about as much as counting 锦江区's 8,655 entries (bench/README.md).
        let figures = try await sql.preparedAll("""
            SELECT b.id, p.name AS project, b.year, b.deadline, \(EntryFigures.columns(table: "e"))
            FROM integration_batches b JOIN projects p ON p.id = b.project_id
            LEFT JOIN integration_entries e ON e.batch_id = b.id AND \(scope.predicate(table: "e"))
            \(only)
            GROUP BY b.id, p.name, b.year, b.deadline
            ORDER BY b.year DESC, b.id
            """, decoding: Figures.self)
        guard !figures.isEmpty else { return [] }

        // The parts below this level that have entries, and every state on record, per batch.
        let partColumn = level == .province ? "city_code" : "county_code"
        struct Part: Decodable { let batch_id: Int; let code: String }
        let parts = level == .county ? [] : try await sql.raw("""
            SELECT DISTINCT e.batch_id, e.\(unsafeRaw: partColumn) AS code FROM integration_entries e
            WHERE e.\(unsafeRaw: partColumn) IS NOT NULL AND \(scope.predicate(table: "e"))
            """).all(decoding: Part.self)
        struct State: Decodable { let batch_id: Int; let region_code: String; let state: String; let late: Bool }
        var states: [Int: [String: ApprovalState]] = [:]
        var late: [Int: Set<String>] = [:]
        // Only the states of regions this report covers are read.
        let codes = Array(Set(parts.map(\.code) + [levelRegion].compactMap { $0 }))
        let rows = codes.isEmpty ? [] : try await sql.select().column("subject_id", as: "batch_id").columns("region_code", "state", "late")
            .from(SubmissionModel.schema).where("workflow", .equal, ApprovalWorkflowKind.integration.rawValue)
            .where("region_code", .in, codes).all(decoding: State.self)
        for row in rows {
            states[row.batch_id, default: [:]][row.region_code] = try .read(row.state, workflow: .integration, subject: row.batch_id, region: row.region_code)
            if row.late { late[row.batch_id, default: []].insert(row.region_code) }
        }
        let partsByBatch = Dictionary(grouping: parts, by: \.batch_id)

        return figures.map { figure in
            let batchStates = states[figure.id] ?? [:]
            let own: ApprovalState? = level == .province ? nil : levelRegion.map { batchStates[$0] ?? .open }
            let batchParts = partsByBatch[figure.id] ?? []
            let through: ApprovalState = level == .province ? .approved : .submitted
            let done = batchParts.filter { batchStates[$0.code] == through }.count
            let partsLabel = switch level {
            case .county: ""
            case .city: "已提交 \(done)/\(batchParts.count) 个县(市、区)"
            case .province: "已审核 \(done)/\(batchParts.count) 个市(州)"
            }
            let deadline = CivilDate(iso: figure.deadline) ?? IntegrationWorkflow.defaultDeadline(year: figure.year)
            let countdown = DeadlineCountdown(deadline: deadline, today: today,
                                              state: own ?? (done < batchParts.count ? .open : .approved))
            // Once the region's part is handed on, the deadline is history: it was met or missed.
            // Only a part still open counts the days (已逾期 N 天).
            let label: String = switch own {
            case let state? where !state.isEditable:
                levelRegion.map { late[figure.id]?.contains($0) == true } == true ? "逾期提交" : "按期提交"
            case nil where !countdown.concerns: level == .province ? "已全部审核" : "—"
            default: countdown.label
            }
            return BatchStatus(
                id: figure.id, project: figure.project, year: figure.year, deadline: figure.deadline, allocated: figure.allocated,
                verified: figure.verified, rejected: figure.rejected, added: figure.added,
                pending: figure.allocated + figure.added - figure.verified - figure.rejected, conflicts: figure.conflicts,
                state: own?.rawValue, stateLabel: own?.label, parts: batchParts.count, partsDone: done, partsLabel: partsLabel,
                daysLeft: countdown.daysLeft, countdown: label, overdue: countdown.isOverdue, near: countdown.isNear)
        }
    }
}
