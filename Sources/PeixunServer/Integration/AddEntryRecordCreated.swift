import Fluent
import Foundation
import SQLKit

/// Which entries' records an approval created, so that reopening withdraws exactly those.
struct AddEntryRecordCreated: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(IntegrationEntryModel.schema).field("record_created", .bool, .required, .sql(.default(false))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(IntegrationEntryModel.schema).deleteField("record_created").update()
    }
}
