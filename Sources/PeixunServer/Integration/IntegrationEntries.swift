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

    private struct Last: Decodable { let county_code: String?; let last: Int? }
    private struct LastID: Decodable { let id: Int? }

    /// `entries` may be a lazy view (a province's list is not copied into `NewEntry`s first).
    static func append<Entries: RandomAccessCollection>(_ entries: Entries, batchID: Int, projectID: Int,
                                                        on db: any Database) async throws where Entries.Element == NewEntry {
        guard !entries.isEmpty else { return }
        let started = ContinuousClock.now
        let sql = db as! any SQLDatabase
        var next: [String: Int] = [:]
        for row in try await sql.raw("""
            SELECT county_code, MAX(sequence) AS last FROM integration_entries WHERE batch_id = \(bind: batchID) GROUP BY county_code
            """).all(decoding: Last.self) {
            next[row.county_code ?? ""] = (row.last ?? 0) + 1
        }
        // The entries written below are those after it (the transaction holds the writes).
        let lastID = try await sql.raw("SELECT MAX(id) AS id FROM integration_entries").first(decoding: LastID.self)?.id ?? 0
        var insert = PlainBulkInsert(into: IntegrationEntryModel.schema, columns: [
            "batch_id", "county_code", "city_code", "sequence", "name", "resident_id", "phone", "school", "listed_county",
            "status", "added",
        ], on: db)
        var sequences: [Int] = []
        sequences.reserveCapacity(entries.count)
        let counties = entries.map { $0.county?.code ?? "" }
        for key in counties {
            sequences.append(next[key, default: 1])
            next[key] = sequences[sequences.count - 1] + 1
        }
        // Written county by county in list order, so that the index on (batch, county, sequence)
        // only ever appends.
        let order = counties.indices.sorted { (counties[$0], sequences[$0]) < (counties[$1], sequences[$1]) }
        for position in order {
            let entry = entries[entries.index(entries.startIndex, offsetBy: position)]
            let sequence = sequences[position]
            try await insert.append([
                .integer(batchID), .optional(entry.county?.code), .optional(entry.county?.parentCode), .integer(sequence),
                .text(entry.name), .text(entry.residentID.value), .optional(entry.phone), .optional(entry.school.isEmpty ? nil : entry.school),
                .optional(entry.listedCounty), .text(EntryStatus.pending.rawValue), .bool(entry.added),
            ])
        }
        try await insert.flush()
        db.logger.debug("integration entries: \(entries.count) inserted in \(ContinuousClock.now - started)")
        try await markConflicts(batchID: batchID, projectID: projectID, entries: "e.id > \(bind: lastID)", on: sql)
    }

    /// Compares entries with the registry in one query that returns only the entries in conflict
    /// (a province's list is 200,000 entries: bringing their registry rows into the program took
    /// 2 s, one UPDATE per kind 1.2 s, this 0.6 s). The first conflict found is kept: registered
    /// in another county, then a different name, then a passed record of another cooperation project.
    /// - Parameter entries: which entries of the batch to check (a condition on `integration_entries e`).
    static func markConflicts(batchID: Int, projectID: Int, entries: SQLQueryString, on sql: any SQLDatabase) async throws {
        let elsewhere: SQLQueryString = "e.county_code IS NOT NULL AND t.county_code <> e.county_code"
        struct Found: Decodable { let id: Int; let conflict: String }
        // Records by the index on project_id: joining projects made SQLite scan all 1.27 million.
        // `+e.batch_id` keeps SQLite on the id range (new entries are the last ones) instead of
        // the (batch, resident ID) index, which fetched 200,000 rows out of order: 0.94 → 0.45 s.
        let found = try await sql.raw("""
            SELECT e.id, CASE WHEN \(elsewhere) THEN \(bind: Conflict.registeredElsewhere.rawValue)
                              WHEN t.name <> e.name THEN \(bind: Conflict.nameMismatch.rawValue)
                              ELSE \(bind: Conflict.alreadyIntegrated.rawValue) END AS conflict
            FROM integration_entries e JOIN teachers t ON t.resident_id = e.resident_id
            WHERE +e.batch_id = \(bind: batchID) AND \(entries) AND e.conflict IS NULL
              AND ((\(elsewhere)) OR t.name <> e.name OR EXISTS (
                  SELECT 1 FROM training_records r WHERE r.teacher_id = t.id AND r.result = 'passed'
                    AND r.project_id IN (SELECT id FROM projects WHERE level = 'cooperation' AND id <> \(bind: projectID))))
            """).all(decoding: Found.self)
        for (conflict, rows) in Dictionary(grouping: found, by: \.conflict) {
            for chunk in rows.map(\.id).chunked(into: 1000) {
                try await sql.update(IntegrationEntryModel.schema).set("conflict", to: conflict).where("id", .in, chunk).run()
            }
        }
    }
}
