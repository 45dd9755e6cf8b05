import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

/// 批量核实 of the checked rows of a county's worklist: one transaction, one audit entry per
/// verified entry and one for the request as a whole (which the page reads its message from).
/// Which entries are verified is `BulkVerification.plan`; this reads what it needs and writes.
extension CountyVerification {
    struct BulkResult: Content {
        let verified: [Int]
        let skipped: [BulkVerification.Skipped]
        /// What the county reads: how many were verified, who was not and why.
        let message: String
        /// The audit entry of the whole request (`done=bulk&record=…` on the page).
        let recordID: Int?
    }

    static let bulkRecordType = "integration_batch"

    func verifyAll(batchID: Int, ids: [Int]) async throws -> BulkResult {
        guard user.role == .county, let county = user.regionCode, let region = regions.region(code: county), region.level == .county else {
            throw AppError(.forbidden, code: "integration.not_county", "只有县(市、区)可以核实本县名单")
        }
        let requested: [Int]
        do {
            requested = try BulkVerification.requested(ids)
        } catch {
            throw InputRefusal(field: "勾选的人员", code: error == .empty ? "bulk.empty" : "bulk.too_many", error.message)
        }
        return try await database.transaction { db in
            let sql = db as! any SQLDatabase
            guard try await IntegrationBatchModel.find(batchID, on: db) != nil else { throw AppError.notFound("整合批次") }
            let found = try await candidates(requested, on: sql)
            let open = try await actions(batchID: batchID, county: county, on: db).mayVerify
            var plan = BulkVerification.plan(requested, found: found.mapValues(\.candidate), batchID: batchID, county: county, open: open)
            let done = try await markVerified(plan.verify, on: sql)
            // Decided by someone else between the read and the write (PostgreSQL locks the rows,
            // so only a changed SQLite snapshot could get here): left as they are, and said so.
            for id in plan.verify where done[id] == nil {
                plan.skipped.append(BulkVerification.Skipped(id: id, name: found[id]?.candidate.name ?? "", reason: .alreadyVerified))
            }
            let verified = plan.verify.filter { done[$0] != nil }
            for id in verified {
                guard let entry = found[id] else { continue }
                try await AuditLog.record(on: db, actor: actor, action: .verify, objectType: "integration_entry", objectID: String(id),
                                          countyCode: county, cityCode: region.parentCode,
                                          changes: ["status": .init(before: EntryStatus.pending.rawValue, after: EntryStatus.verified.rawValue),
                                                    "certificate_no": .init(before: entry.certificate, after: done[id] ?? nil)],
                                          summary: "批量核实 \(entry.candidate.name)（证书 \((done[id] ?? nil) ?? "")）")
            }
            let message = BulkVerification.message(verified: verified.count, skipped: plan.skipped)
            try await AuditLog.record(on: db, actor: actor, action: .verify, objectType: Self.bulkRecordType, objectID: String(batchID),
                                      countyCode: county, cityCode: region.parentCode,
                                      changes: ["verified": .init(before: nil, after: String(verified.count)),
                                                "skipped": .init(before: nil, after: String(plan.skipped.count))],
                                      summary: message)
            let record = try await AuditEntryModel.query(on: db).filter(\.$userID == actor.userID).filter(\.$objectType == Self.bulkRecordType)
                .filter(\.$objectID == String(batchID)).sort(\.$id, .descending).first()
            return BulkResult(verified: verified, skipped: plan.skipped, message: message, recordID: record?.id)
        }
    }

    private struct Found {
        let candidate: BulkVerification.Candidate
        let certificate: String?
    }

    /// The requested entries the user's scope reaches, with whether their school is known
    /// (on the list, or the teacher is in the registry). On PostgreSQL the rows stay locked
    /// until the transaction ends, so nobody decides them meanwhile.
    private func candidates(_ ids: [Int], on sql: any SQLDatabase) async throws -> [Int: Found] {
        struct Row: Decodable {
            let id: Int
            let name: String
            let batch_id: Int
            let county_code: String?
            let status: String
            let conflict: String?
            let certificate_no: String?
            let school_known: Int
        }
        let lock: SQLQueryString = sql.dialect.name == "postgresql" ? " FOR UPDATE OF e" : ""
        let rows = try await sql.raw("""
            SELECT e.id, e.name, e.batch_id, e.county_code, e.status, e.conflict, e.certificate_no,
                   CASE WHEN COALESCE(e.school, '') <> '' OR EXISTS (SELECT 1 FROM teachers t WHERE t.resident_id = e.resident_id)
                        THEN 1 ELSE 0 END AS school_known
            FROM integration_entries e
            WHERE e.id IN (\(binds: ids)) AND \(user.scope.predicate(table: "e"))\(lock)
            """).all(decoding: Row.self)
        var found: [Int: Found] = [:]
        for row in rows {
            let status = try EntryStatus.read(row.status, table: IntegrationEntryModel.schema, row: row.id, column: "status")
            found[row.id] = Found(candidate: .init(id: row.id, name: row.name, batchID: row.batch_id, countyCode: row.county_code, status: status,
                                                   hasConflict: row.conflict != nil, schoolKnown: row.school_known != 0),
                                  certificate: row.certificate_no)
        }
        return found
    }

    /// Verifies the pending entries among `ids` in one statement; a number already seen is kept,
    /// otherwise the paper list is named. Returns each changed entry's certificate number.
    private func markVerified(_ ids: [Int], on sql: any SQLDatabase) async throws -> [Int: String?] {
        guard !ids.isEmpty else { return [:] }
        struct Row: Decodable { let id: Int; let certificate_no: String? }
        let rows = try await sql.update(IntegrationEntryModel.schema)
            .set("status", to: EntryStatus.verified.rawValue)
            .set("certificate_no", to: SQLFunction("COALESCE", args: SQLColumn("certificate_no"), SQLBind(BulkVerification.certificateOnPaper)))
            .set("reason", to: SQLLiteral.null)
            .set("verified_by", to: user.username)
            .set("verified_at", to: clock.now())
            .where("id", .in, ids)
            .where("status", .equal, EntryStatus.pending.rawValue)
            .where("conflict", .is, SQLLiteral.null)
            .returning("id", "certificate_no")
            .all(decoding: Row.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0.certificate_no) })
    }
}
