import Foundation
import PeixunCore
import SQLKit
import Vapor

/// 核实进度: how the counties are getting on with the lists of the projects in scope — per
/// project and year, per county: verified, rejected, waiting. One grouped query over the
/// entries, narrowed by `ProjectScope`.
struct InstitutionProgress {
    struct Figures: Content {
        let countyCode: String?
        let county: String
        let city: String
        var listed = 0
        var verified = 0
        var rejected = 0
        var waiting = 0
        /// 核实 in percent of those listed, one decimal.
        var verifiedPercent = "—"

        mutating func add(_ status: String, _ n: Int) {
            listed += n
            switch EntryStatus(rawValue: status) {
            case .verified: verified += n
            case .rejected: rejected += n
            default: waiting += n
            }
            verifiedPercent = String(format: "%.1f%%", Double(verified) * 100 / Double(listed))
        }
    }

    struct ProjectProgress: Content {
        let batchID: Int
        let projectName: String
        let year: Int
        let deadline: String
        let total: Figures
        let counties: [Figures]
    }

    let sql: any SQLDatabase
    let regions: RegionDirectory
    let scope: ProjectScope

    func load() async throws -> [ProjectProgress] {
        struct Row: Decodable { let batch_id: Int; let name: String; let year: Int; let deadline: String; let county_code: String?; let status: String; let n: Int }
        let rows = try await sql.raw("""
            SELECT b.id AS batch_id, p.name, b.year, b.deadline, e.county_code, e.status, COUNT(*) AS n
            FROM integration_entries e JOIN integration_batches b ON b.id = e.batch_id JOIN projects p ON p.id = b.project_id
            WHERE \(scope.predicate(projectColumn: "b.project_id"))
            GROUP BY b.id, p.name, b.year, b.deadline, e.county_code, e.status
            """).all(decoding: Row.self)
        var result: [ProjectProgress] = []
        for (batchID, batchRows) in Dictionary(grouping: rows, by: \.batch_id).sorted(by: { $0.key > $1.key }) {
            var counties: [String: Figures] = [:]
            var total = Figures(countyCode: nil, county: "合计", city: "")
            for row in batchRows {
                let key = row.county_code ?? ""
                if counties[key] == nil {
                    let region = row.county_code.flatMap { regions.region(code: $0) }
                    counties[key] = Figures(countyCode: row.county_code, county: region?.name ?? "省级待分配",
                                            city: region?.parentCode.flatMap { regions.region(code: $0)?.name } ?? "—")
                }
                counties[key]!.add(row.status, row.n)
                total.add(row.status, row.n)
            }
            let first = batchRows[0]
            result.append(ProjectProgress(batchID: batchID, projectName: first.name, year: first.year, deadline: first.deadline, total: total,
                                          counties: counties.values.sorted { ($0.countyCode ?? "999999") < ($1.countyCode ?? "999999") }))
        }
        return result
    }
}
