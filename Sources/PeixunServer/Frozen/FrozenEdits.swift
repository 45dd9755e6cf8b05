import Fluent
import Foundation
import PeixunCore
import SQLKit

/// Who last changed a frozen table's row after its approval, and when, keyed by the row's region
/// code: for Appendix 3 the county's plan row itself; for the integration summary the audit
/// log's last change to an entry of the same project in that county (核实, 不予认定, 新增, 分配);
/// for Appendix 1 the audit log's last change to what its figures are made of in that county
/// (official counts, rosters, teachers, transfers) or to the whole city or province (an import
/// of several counties — above one city only if its entry lists this city among those it
/// touched —, a city's integration approval or its reopening).
struct FrozenEdits {
    struct Edit: Equatable {
        let by: String
        let at: Date
    }

    let database: any Database
    let regions: RegionDirectory

    func last(_ model: FrozenTableModel, kind: FrozenKind, region: Region) async throws -> [String: Edit] {
        switch kind {
        case .plan: try await plans(model, city: region)
        case .summary: try await summary(model, city: region)
        case .progress: try await progress(model, city: region)
        }
    }

    private func plans(_ model: FrozenTableModel, city: Region) async throws -> [String: Edit] {
        var edits: [String: Edit] = [:]
        for plan in try await PlanModel.query(on: database).filter(\.$year == model.subjectID).filter(\.$cityCode == city.code)
            .filter(\.$updatedAt > model.approvedAt).all() {
            edits[plan.countyCode] = Edit(by: plan.updatedBy, at: plan.updatedAt)
        }
        return edits
    }

    private struct Logged: Decodable {
        let object_id: String?
        let county_code: String?
        let username: String
        let occurred_at: Date
        /// Only for a change filed above the city: its audit changes, which may list the cities it touched.
        let spanning: String?

        /// The cities a change filed above the city says it touched; nil when it does not say
        /// (older entries), and then it is charged to every city below where it is filed.
        var citiesTouched: Set<String>? {
            struct Stored: Decodable { let after: String? }
            guard let spanning, let changes = try? JSONDecoder().decode([String: Stored].self, from: Data(spanning.utf8)),
                  let cities = changes[AuditLog.citiesKey]?.after else { return nil }
            return Set(cities.split(separator: ",").map(String.init))
        }
    }

    private func logged(after date: Date, city: Region, _ condition: SQLQueryString) async throws -> [Logged] {
        try await (database as! any SQLDatabase).raw("""
            SELECT object_id, county_code, username, occurred_at,
                   CASE WHEN county_code IS NULL AND (city_code IS NULL OR city_code <> \(bind: city.code)) THEN changes END AS spanning
            FROM audit_log
            WHERE occurred_at > \(bind: date) AND (city_code = \(bind: city.code) OR city_code = \(bind: city.parentCode ?? city.code) OR city_code IS NULL)
              AND \(condition)
            ORDER BY occurred_at, id
            """).all(decoding: Logged.self)
    }

    private func summary(_ model: FrozenTableModel, city: Region) async throws -> [String: Edit] {
        guard let batch = try await IntegrationBatchModel.find(model.subjectID, on: database) else { return [:] }
        let logged = try await logged(after: model.approvedAt, city: city, "object_type = 'integration_entry' AND county_code IS NOT NULL")
        // Only entries of the summary's project: another project's entries change another table.
        var ofProject = Set<String>()
        struct Row: Decodable { let id: Int }
        for chunk in Set(logged.compactMap { $0.object_id.flatMap(Int.init) }).sorted().chunked(into: 1000) {
            for row in try await (database as! any SQLDatabase).raw("""
                SELECT e.id FROM integration_entries e JOIN integration_batches b ON b.id = e.batch_id
                WHERE b.project_id = \(bind: batch.projectID) AND e.id IN (\(binds: chunk))
                """).all(decoding: Row.self) {
                ofProject.insert(String(row.id))
            }
        }
        var edits: [String: Edit] = [:]
        for entry in logged where entry.object_id.map(ofProject.contains) == true {
            edits[entry.county_code!] = Edit(by: entry.username, at: entry.occurred_at)
        }
        return edits
    }

    private func progress(_ model: FrozenTableModel, city: Region) async throws -> [String: Edit] {
        let logged = try await logged(after: model.approvedAt, city: city, """
            (object_type IN ('official_counts', 'teacher_roster', 'teacher', 'teacher_transfer')
             AND action IN ('create', 'update', 'delete', 'import', 'transfer', 'approve', 'reject', 'cancel')
             OR object_type = 'integration_batch' AND action IN ('approve', 'cancel') AND county_code IS NULL)
            """)
        let counties = regions.counties(in: city.code).map(\.code)
        var edits: [String: Edit] = [:]
        for entry in logged where entry.citiesTouched?.contains(city.code) != false {
            // In time order, so the last one standing for a county is its latest change.
            for county in entry.county_code.map({ [$0] }) ?? counties {
                edits[county] = Edit(by: entry.username, at: entry.occurred_at)
            }
        }
        return edits
    }
}
