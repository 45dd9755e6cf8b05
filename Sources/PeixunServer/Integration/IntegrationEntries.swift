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
        struct LastID: Decodable { let id: Int? }
        // The entries written below are those after it (the transaction holds the writes).
        let lastID = try await sql.raw("SELECT MAX(id) AS id FROM integration_entries").first(decoding: LastID.self)?.id ?? 0
        var insert = PlainBulkInsert(into: IntegrationEntryModel.schema, columns: [
            "batch_id", "county_code", "city_code", "sequence", "name", "resident_id", "phone", "school", "listed_county",
            "status", "added",
        ], on: db)
        var sequences: [Int] = []
        sequences.reserveCapacity(entries.count)
        for entry in entries {
            let key = entry.county?.code ?? ""
            sequences.append(next[key, default: 1])
            next[key] = sequences[sequences.count - 1] + 1
        }
        // Written county by county in list order, so that the index on (batch, county, sequence)
        // only ever appends.
        let order = entries.indices.sorted {
            (entries[$0].county?.code ?? "", sequences[$0]) < (entries[$1].county?.code ?? "", sequences[$1])
        }
        for index in order {
            let entry = entries[index]
            let sequence = sequences[index]
            try await insert.append([
                .integer(batchID), .optional(entry.county?.code), .optional(entry.county?.parentCode), .integer(sequence),
                .text(entry.name), .text(entry.residentID.value), .optional(entry.phone), .optional(entry.school.isEmpty ? nil : entry.school),
                .optional(entry.listedCounty), .text(EntryStatus.pending.rawValue), .bool(entry.added),
            ])
        }
        try await insert.flush()
        try await markConflicts(batchID: batchID, projectID: projectID, entries: "integration_entries.id > \(bind: lastID)", on: sql)
    }

    /// Compares entries with the registry, in the database (a province's list is 200,000 entries:
    /// bringing their registry rows into the program took 2 s, these statements a fraction).
    /// The first conflict found is kept: registered in another county, then a different name,
    /// then a passed record of another cooperation project.
    /// - Parameter entries: which entries of the batch to check (a condition on `integration_entries`).
    static func markConflicts(batchID: Int, projectID: Int, entries: SQLQueryString, on sql: any SQLDatabase) async throws {
        let chosen: SQLQueryString = "integration_entries.batch_id = \(bind: batchID) AND \(entries) AND integration_entries.conflict IS NULL"
        let teacher: SQLQueryString = "SELECT 1 FROM teachers t WHERE t.resident_id = integration_entries.resident_id"
        try await sql.raw("""
            UPDATE integration_entries SET conflict = \(bind: Conflict.registeredElsewhere.rawValue)
            WHERE \(chosen) AND integration_entries.county_code IS NOT NULL
              AND EXISTS (\(teacher) AND t.county_code <> integration_entries.county_code)
            """).run()
        try await sql.raw("""
            UPDATE integration_entries SET conflict = \(bind: Conflict.nameMismatch.rawValue)
            WHERE \(chosen) AND EXISTS (\(teacher) AND t.name <> integration_entries.name)
            """).run()
        // By the index on project_id: joining projects made SQLite scan all 1.27 million records.
        try await sql.raw("""
            UPDATE integration_entries SET conflict = \(bind: Conflict.alreadyIntegrated.rawValue)
            WHERE \(chosen) AND EXISTS (\(teacher) AND EXISTS (
                SELECT 1 FROM training_records r WHERE r.teacher_id = t.id AND r.result = 'passed'
                  AND r.project_id IN (SELECT id FROM projects WHERE level = 'cooperation' AND id <> \(bind: projectID))))
            """).run()
    }
}
