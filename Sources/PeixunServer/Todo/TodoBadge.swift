import Foundation
import PeixunCore
import SQLKit
import Vapor

/// The number beside 待办 in the menu: the user's action items of the to-do board (entries to
/// verify, reports sent back, reviews, reissue steps, transfers, institutions' lists,
/// unfinished imports), counted in ONE query of scalar sub-counts so that every page can
/// afford it. Deadlines still ahead, reminders and other units' lateness are on the board only.
/// The conditions here are the board's (`TodoBoard+Work`); `TodoTests` holds the two equal.
enum TodoBadge {
    static let importRoutes: [String: SiteURL.Imports.Kind] = [
        "teachers": .teachers, "official_counts": .statistics, "qualified_list": .integration, "proposed_list": .institution,
    ]
    static let importTitles: [String: String] = [
        "teachers": "教师名册", "official_counts": "专任教师数", "qualified_list": "合作项目合格人员名单", "proposed_list": "上报合格名单",
    ]

    /// `import_uploads`: parked by the user within the day they are kept.
    static func unfinishedImports(user: Int, now: Date) -> SQLQueryString {
        "user_id = \(bind: user) AND created_at >= \(bind: now.addingTimeInterval(-86_400))"
    }

    /// `jobs`: this user's background jobs that failed within the week (until retried).
    static func failedJobs(user: Int, now: Date) -> SQLQueryString {
        "owner_id = \(bind: user) AND state = \(bind: JobModel.State.failed.rawValue) AND finished_at >= \(bind: now.addingTimeInterval(-7 * 86_400))"
    }

    /// `reissue_requests r`: the county checks them.
    static func reissueCheck(county: String) -> SQLQueryString {
        "r.county_code = \(bind: county) AND r.status = \(bind: ReissueStatus.check.rawValue)"
    }

    /// `reissue_requests r`: waiting for a statement no institution account can write.
    static func countyStatements(county: String) -> SQLQueryString {
        "r.county_code = \(bind: county) AND r.status = \(bind: ReissueStatus.statement.rawValue) AND NOT \(InstitutionProjects.linked(teacherColumn: "r.teacher_id"))"
    }

    /// `reissue_requests r`: waiting for this institution's statement.
    static func institutionStatements(institution: Int) -> SQLQueryString {
        "r.status = \(bind: ReissueStatus.statement.rawValue) AND \(InstitutionProjects.linked(teacherColumn: "r.teacher_id", userID: institution))"
    }

    /// `teacher_transfers x`: to be received by the county.
    static func transfersIn(county: String) -> SQLQueryString {
        "x.to_county_code = \(bind: county) AND x.status = \(bind: TransferModel.Status.pending.rawValue)"
    }

    /// `proposed_lists l`: waiting for the province.
    static let proposalsWaiting: SQLQueryString = "l.status = \(bind: ProposedListModel.Status.proposed.rawValue)"

    /// `proposed_lists l`: sent back, and the institution has not proposed that project and year again since.
    static func returnedLists(institution: Int) -> SQLQueryString {
        """
        l.status = \(bind: ProposedListModel.Status.returned.rawValue) AND \(ProjectScope.institution(userID: institution).predicate(projectColumn: "l.project_id"))
        AND NOT EXISTS (SELECT 1 FROM proposed_lists later WHERE later.project_id = l.project_id AND later.year = l.year AND later.id > l.id)
        """
    }

    /// The yearly reports on the engine a region reports itself (plan, contacts).
    static var yearlyWorkflows: [String] { ReportingTask.all.filter { $0.onEngine && $0.subjects == .year }.map(\.workflow) }

    /// The sub-counts for a user, each `(SELECT COUNT(*) …)`.
    static func parts(user: CurrentUser, regions: RegionDirectory, now: Date) -> [SQLQueryString] {
        var parts: [SQLQueryString] = ["(SELECT COUNT(*) FROM import_uploads WHERE \(unfinishedImports(user: user.id, now: now)))",
                                       "(SELECT COUNT(*) FROM jobs WHERE \(failedJobs(user: user.id, now: now)))"]
        if user.role == .institution {
            parts.append("(SELECT COUNT(*) FROM proposed_lists l WHERE \(returnedLists(institution: user.id)))")
            parts.append("(SELECT COUNT(*) FROM reissue_requests r WHERE \(institutionStatements(institution: user.id)))")
        }
        guard [.province, .city, .county].contains(user.role), let code = user.scope.root(in: regions),
              let region = regions.region(code: code) else { return parts }
        let returned = ApprovalState.returned.rawValue, submitted = ApprovalState.submitted.rawValue
        if region.level != .province {
            let workflows = SQLList(yearlyWorkflows.map { SQLBind($0) })
            parts.append("""
                (SELECT COUNT(*) FROM submissions s WHERE s.workflow IN (\(workflows)) AND s.subject_id = \(bind: ReportingTask.defaultYear)
                 AND s.region_code = \(bind: code) AND s.state = \(bind: returned))
                """)
        }
        if region.level == .county {
            // Batch by batch (CROSS JOIN keeps SQLite from scanning the county index of every
            // entry: 26 ms → under 1 ms for 锦江区 on the full demo's 200,000 entries).
            parts.append("""
                (SELECT COUNT(*) FROM integration_batches b CROSS JOIN integration_entries e
                 WHERE e.batch_id = b.id AND e.county_code = \(bind: code) AND e.status = \(bind: EntryStatus.pending.rawValue)
                 AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.workflow = \(bind: ApprovalWorkflowKind.integration.rawValue)
                   AND s.subject_id = b.id AND s.region_code = \(bind: code) AND s.state NOT IN (\(bind: ApprovalState.open.rawValue), \(bind: returned))))
                """)
            parts.append("(SELECT COUNT(*) FROM reissue_requests r WHERE \(reissueCheck(county: code)))")
            parts.append("(SELECT COUNT(*) FROM reissue_requests r WHERE \(countyStatements(county: code)))")
            parts.append("(SELECT COUNT(*) FROM teacher_transfers x WHERE \(transfersIn(county: code)))")
        } else {
            parts.append("""
                (SELECT COUNT(*) FROM submissions s JOIN regions c ON c.code = s.region_code
                 WHERE c.parent_code = \(bind: code) AND s.state = \(bind: submitted))
                """)
        }
        if user.isTopOffice { parts.append("(SELECT COUNT(*) FROM proposed_lists l WHERE \(proposalsWaiting))") }
        return parts
    }

    /// The badge for the signed-in user; nil (no badge) for teachers and when nothing waits.
    static func count(_ request: Request) async throws -> Int? {
        guard let user = request.currentUser, user.role != .teacher, user.role != .reviewer else { return nil }
        let sum = parts(user: user, regions: request.application.regions, now: request.clock.now()).joined(separator: " + ")
        let query: SQLQueryString = "SELECT \(sum) AS n"
        struct Row: Decodable { let n: Int }
        let n = try await request.sql.preparedFirst(query, decoding: Row.self)?.n ?? 0
        return n > 0 ? n : nil
    }
}
