import Fluent
import Foundation
import SQLKit

/// A record an approval wrote names the entry it came from (`training_records.integration_entry_id`),
/// so that reopening withdraws exactly those records; it replaces the entries' `record_created`,
/// which made an approval rewrite every entry it turned into a record (20,000–130,000 row
/// versions on PostgreSQL, a fifth of a city's approval there — bench/README.md).
struct LinkRecordsToEntries: AsyncMigration {
    static let index = "training_records_integration_entry"

    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema(TrainingRecordModel.schema).field("integration_entry_id", .int).update()
        // One entry per teacher and project (a list names a teacher once; the earliest if not).
        try await sql.raw("""
            UPDATE training_records SET integration_entry_id = linked.entry_id
            FROM (SELECT MIN(e.id) AS entry_id, t.id AS teacher_id, b.project_id
                  FROM integration_entries e
                  JOIN integration_batches b ON b.id = e.batch_id
                  JOIN teachers t ON t.resident_id = e.resident_id
                  WHERE e.record_created = \(bind: true)
                  GROUP BY t.id, b.project_id) AS linked
            WHERE training_records.teacher_id = linked.teacher_id AND training_records.project_id = linked.project_id
            """).run()
        // Partial: nearly every record has no entry, and bulk loads of records pay nothing for it.
        try await sql.raw("""
            CREATE INDEX \(ident: Self.index) ON training_records (integration_entry_id) WHERE integration_entry_id IS NOT NULL
            """).run()
        try await database.schema(IntegrationEntryModel.schema).deleteField("record_created").update()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await AddEntryRecordCreated().prepare(on: database)
        try await sql.raw("""
            UPDATE integration_entries SET record_created = \(bind: true)
            WHERE id IN (SELECT integration_entry_id FROM training_records WHERE integration_entry_id IS NOT NULL)
            """).run()
        try await sql.drop(index: Self.index).run()
        try await database.schema(TrainingRecordModel.schema).deleteField("integration_entry_id").update()
    }
}
