import Fluent
import PeixunCore
import SQLKit
import Vapor

/// Where a teacher stands in each cooperation project's integration: on the list → verified
/// by the county → submitted by the city → approved by the province (or not confirmed, and why).
struct TeacherPipelineDTO: Content {
    let project: String
    let year: Int
    let listed: Bool
    let verified: Bool
    let citySubmitted: Bool
    let approved: Bool
    let rejectedReason: String?
    /// The furthest step in words.
    let stage: String

    /// The columns of `integration_entries e`, `integration_batches b` and `projects p` one
    /// step is read from besides `b.year`, as `Row` decodes them (`MyTrainingController` reads
    /// them beside the training records).
    static let columns: SQLQueryString = """
        p.name AS project, e.status, e.reason,
        (SELECT s.state FROM submissions s WHERE s.workflow = 'integration' AND s.subject_id = b.id AND s.region_code = e.city_code) AS city_state
        """

    /// The FROM and WHERE for one teacher's steps. Batch by batch (CROSS JOIN keeps SQLite's
    /// order): each probe is on the unique (batch_id, resident_id) index, where SQLite otherwise
    /// scanned every entry of every batch for each teacher's page.
    static func source(residentID: SQLQueryString) -> SQLQueryString {
        """
        FROM integration_batches b CROSS JOIN integration_entries e JOIN projects p ON p.id = b.project_id
        WHERE e.batch_id = b.id AND e.resident_id = \(residentID)
        """
    }

    struct Row: Decodable {
        let project: String; let year: Int; let status: String; let reason: String?; let city_state: String?
    }

    static func load(residentID: String, on db: any Database) async throws -> [TeacherPipelineDTO] {
        let sql = db as! any SQLDatabase
        let rows = try await sql.raw("""
            SELECT b.year, \(columns)
            \(source(residentID: "\(bind: residentID)"))
            ORDER BY b.year, p.id
            """).all(decoding: Row.self)
        return try rows.map(TeacherPipelineDTO.init)
    }
}

extension TeacherPipelineDTO {
    init(_ row: Row) throws {
        let verified = row.status == EntryStatus.verified.rawValue
        let city = try ApprovalState.read(row.city_state, workflow: .integration, subject: 0, region: "市(州)")
        let approved = verified && city == .approved
        let submitted = verified && (city == .submitted || city == .approved)
        let reason = row.status == EntryStatus.rejected.rawValue ? row.reason.flatMap(RejectionReason.init(rawValue:))?.label ?? "其他" : nil
        let stage = reason.map { "县级不予认定（\($0)），如有异议请联系所在县(市、区)教育局" }
            ?? (approved ? "省执行办已审核认定，培训记录已生效"
                : submitted ? "县级已核实，市(州)已提交，等待省执行办审核"
                : verified ? "县级已核实，等待市(州)审核提交"
                : "已列入合格人员名单，请携身份证和合格证书到县(市、区)教育局登记备案")
        self.init(project: row.project, year: row.year, listed: true, verified: verified,
                  citySubmitted: submitted, approved: approved, rejectedReason: reason, stage: stage)
    }
}
