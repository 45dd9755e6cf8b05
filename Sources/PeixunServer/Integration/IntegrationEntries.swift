import Fluent
import Foundation
import PeixunCore
import SQLKit

/// Writing entries onto a batch's list, from the organiser's file or a county's addition
/// (新增): each gets the next number of its county's list, and is checked against the
/// registry for the conflicts the county must clear before it submits.
enum IntegrationEntries {
    struct NewEntry: Sendable {
        let county: Region?
        let listedCounty: String?
        let school: String
        let name: String
        let residentID: ResidentID
        let phone: String?
        let added: Bool
    }

    /// Conflicts a county clears by deciding the entry (verify with corrected details, or reject).
    enum Conflict: String, CaseIterable {
        case registeredElsewhere = "registered_elsewhere"
        case nameMismatch = "name_mismatch"
        case alreadyIntegrated = "already_integrated"

        var label: String {
            switch self {
            case .registeredElsewhere: "该教师在名册中登记于其他县"
            case .nameMismatch: "姓名与名册登记不一致"
            case .alreadyIntegrated: "已由其他合作项目整合（仍可认定，教师可有多项记录）"
            }
        }
    }

    static func append(_ entries: [NewEntry], batchID: Int, projectID: Int, on db: any Database) async throws {
        guard !entries.isEmpty else { return }
        let sql = db as! any SQLDatabase
        struct Last: Decodable { let county_code: String?; let last: Int? }
        var next: [String: Int] = [:]
        for row in try await sql.raw("""
            SELECT county_code, MAX(sequence) AS last FROM integration_entries WHERE batch_id = \(bind: batchID) GROUP BY county_code
            """).all(decoding: Last.self) {
            next[row.county_code ?? ""] = (row.last ?? 0) + 1
        }
        struct Registered: Decodable { let resident_id: String; let name: String; let county_code: String; let integrated: Int }
        var registry: [String: Registered] = [:]
        for chunk in entries.map(\.residentID.value).chunked(into: 1000) {
            for row in try await sql.raw("""
                SELECT t.resident_id, t.name, t.county_code,
                       (SELECT COUNT(*) FROM training_records r JOIN projects p ON p.id = r.project_id
                        WHERE r.teacher_id = t.id AND p.level = 'cooperation' AND r.result = 'passed' AND r.project_id <> \(bind: projectID)) AS integrated
                FROM teachers t WHERE t.resident_id IN \(SQLBind.group(chunk))
                """).all(decoding: Registered.self) {
                registry[row.resident_id] = row
            }
        }
        var insert = PlainBulkInsert(into: IntegrationEntryModel.schema, columns: [
            "batch_id", "county_code", "city_code", "sequence", "name", "resident_id", "phone", "school", "listed_county",
            "status", "added", "conflict",
        ], on: db)
        for entry in entries {
            let key = entry.county?.code ?? ""
            let sequence = next[key, default: 1]
            next[key] = sequence + 1
            var conflict: Conflict?
            if let known = registry[entry.residentID.value] {
                if let county = entry.county, known.county_code != county.code { conflict = .registeredElsewhere }
                else if known.name != entry.name { conflict = .nameMismatch }
                else if known.integrated > 0 { conflict = .alreadyIntegrated }
            }
            try await insert.append([
                .integer(batchID), .optional(entry.county?.code), .optional(entry.county?.parentCode), .integer(sequence),
                .text(entry.name), .text(entry.residentID.value), .optional(entry.phone), .optional(entry.school.isEmpty ? nil : entry.school),
                .optional(entry.listedCounty), .text(EntryStatus.pending.rawValue), .bool(entry.added), .optional(conflict?.rawValue),
            ])
        }
        try await insert.flush()
    }
}
