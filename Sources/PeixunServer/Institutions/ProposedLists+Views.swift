import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

/// What the lists page, a list's review page and the API show of proposed lists.
extension ProposedLists {
    struct ProposalDTO: Content {
        let id: Int
        let projectID: Int
        let projectName: String
        let year: Int
        let institution: String
        let fileName: String
        let status: String
        let statusLabel: String
        let rows: Int
        let valid: Int
        let refusedRows: Int
        let returnedReason: String?
        let batchID: Int?
        let submittedAt: String
        let decidedBy: String?
        let decidedAt: String?
        let url: String
        let isWaiting: Bool
        let isReturned: Bool
    }

    struct CountyCount: Content {
        let countyCode: String?
        let county: String
        let city: String
        let count: Int
        let url: String
    }

    struct RowDTO: Content {
        let row: Int
        let county: String
        let listedCounty: String?
        let school: String?
        let name: String
        let residentID: String
    }

    struct DetailDTO: Content {
        let proposal: ProposalDTO
        let counties: [CountyCount]
        let county: String?
        let rows: [RowDTO]
        let rowTotal: Int
        let page: Int
        let pageCount: Int
        let errors: [RowIssue]
        let mayDecide: Bool
    }

    private struct ListRow: Decodable {
        let id: Int
        let project_id: Int
        let project_name: String
        let year: Int
        let institution: String
        let file_name: String
        let status: String
        let row_count: Int
        let valid_count: Int
        let refused_rows: Int
        let returned_reason: String?
        let batch_id: Int?
        let created_at: Date
        let decided_by: String?
        let decided_at: Date?
    }

    /// The proposals in scope, those waiting for the province first; `id` picks one.
    func list(id: Int? = nil, status: ProposedListModel.Status? = nil) async throws -> [ProposalDTO] {
        guard scope != .none else { throw AppError.notFound() }
        let only: SQLQueryString = id.map { "AND l.id = \(bind: $0)" } ?? ""
        let state: SQLQueryString = status.map { "AND l.status = \(bind: $0.rawValue)" } ?? ""
        let rows = try await sql.raw("""
            SELECT l.id, l.project_id, p.name AS project_name, l.year, u.display_name AS institution, l.file_name, l.status,
                   l.row_count, l.valid_count, l.refused_rows, l.returned_reason, l.batch_id, l.created_at, l.decided_by, l.decided_at
            FROM proposed_lists l JOIN projects p ON p.id = l.project_id JOIN users u ON u.id = l.user_id
            WHERE \(scope.predicate(projectColumn: "l.project_id")) \(only) \(state)
            ORDER BY CASE WHEN l.status = \(bind: ProposedListModel.Status.proposed.rawValue) THEN 0 ELSE 1 END, l.id DESC LIMIT 200
            """).all(decoding: ListRow.self)
        let formatter = AuditController.timeFormatter()
        return try rows.map { row in
            let status = try ProposedListModel.Status.read(row.status, table: ProposedListModel.schema, row: row.id, column: "status")
            return ProposalDTO(id: row.id, projectID: row.project_id, projectName: row.project_name, year: row.year, institution: row.institution,
                               fileName: row.file_name, status: status.rawValue, statusLabel: status.label, rows: row.row_count,
                               valid: row.valid_count, refusedRows: row.refused_rows, returnedReason: row.returned_reason, batchID: row.batch_id,
                               submittedAt: formatter.string(from: row.created_at), decidedBy: row.decided_by,
                               decidedAt: row.decided_at.map { formatter.string(from: $0) },
                               url: SiteURL.institutions(.proposal(.value(row.id))).path, isWaiting: status == .proposed, isReturned: status == .returned)
        }
    }

    /// One proposal for review: how many land at each county, a page of its rows (of one county
    /// when asked), and the row errors the import found.
    func detail(_ id: Int, county: String?, page: Int?) async throws -> DetailDTO {
        let model = try await find(id)
        guard let proposal = try await list(id: id).first else { throw AppError.notFound("上报的名单") }
        struct Count: Decodable { let county_code: String?; let n: Int }
        let counts = try await sql.raw("""
            SELECT county_code, COUNT(*) AS n FROM proposed_list_rows WHERE proposal_id = \(bind: id) GROUP BY county_code
            """).all(decoding: Count.self)
        let counties = counts.map { count -> CountyCount in
            let region = count.county_code.flatMap { regions.region(code: $0) }
            let city = region?.parentCode.flatMap { regions.region(code: $0) }
            return CountyCount(countyCode: count.county_code, county: region?.name ?? "省级待分配", city: city?.name ?? "—", count: count.n,
                               url: SiteURL.institutions(.proposal(.value(id), county: count.county_code ?? Self.triage)).path)
        }.sorted { ($0.countyCode ?? "999999") < ($1.countyCode ?? "999999") }
        let filter: SQLQueryString = switch county {
        case nil, "": ""
        case Self.triage: "AND county_code IS NULL"
        case let code?: "AND county_code = \(bind: code)"
        }
        struct Total: Decodable { let n: Int }
        let total = try await sql.raw("SELECT COUNT(*) AS n FROM proposed_list_rows WHERE proposal_id = \(bind: id) \(filter)")
            .first(decoding: Total.self)?.n ?? 0
        let paging = Paging(page: page, size: 100)
        struct Line: Decodable { let line: Int; let county_code: String?; let listed_county: String?; let school: String?; let name: String; let resident_id: String }
        let lines = try await sql.raw("""
            SELECT line, county_code, listed_county, school, name, resident_id FROM proposed_list_rows
            WHERE proposal_id = \(bind: id) \(filter) ORDER BY line LIMIT \(literal: paging.size) OFFSET \(literal: paging.offset)
            """).all(decoding: Line.self)
        let rows = lines.map {
            RowDTO(row: $0.line, county: $0.county_code.flatMap { regions.region(code: $0)?.name } ?? "省级待分配",
                   listedCounty: $0.listed_county, school: $0.school, name: $0.name,
                   residentID: ResidentID(canonical: $0.resident_id)?.masked ?? "******")
        }
        let errors = (try? JSONDecoder().decode([RowIssue].self, from: Data(model.errors.utf8))) ?? []
        return DetailDTO(proposal: proposal, counties: counties, county: county, rows: rows, rowTotal: total, page: paging.page,
                         pageCount: paging.pageCount(total: total), errors: errors,
                         mayDecide: isProvince && proposal.isWaiting)
    }

    /// The county filter value for the rows no county could be found for.
    static let triage = "triage"
}
