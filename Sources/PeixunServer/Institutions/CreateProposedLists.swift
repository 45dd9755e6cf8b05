import Fluent
import Foundation
import SQLKit

struct CreateProposedLists: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let statuses = ProposedListModel.Status.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        try await database.schema(ProposedListModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("project_id", .int, .required, .references(ProjectModel.schema, .id))
            .field("year", .int, .required)
            .field("user_id", .int, .required, .references(UserModel.schema, .id))
            .field("file_name", .string, .required)
            .field("sha256", .string, .required)
            .field("content", .data, .required)
            .field("status", .string, .required, .sql(raw: "CHECK (status IN (\(statuses)))"))
            .field("row_count", .int, .required)
            .field("valid_count", .int, .required)
            .field("refused_rows", .int, .required)
            .field("errors", .string, .required)
            .field("returned_reason", .string)
            .field("batch_id", .int, .references(IntegrationBatchModel.schema, .id))
            .field("decided_by", .string)
            .field("decided_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(ProposedListRowModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("proposal_id", .int, .required, .references(ProposedListModel.schema, .id, onDelete: .cascade))
            .field("line", .int, .required)
            .field("county_code", .string, .references(RegionModel.schema, "code"))
            .field("listed_county", .string)
            .field("school", .string)
            .field("name", .string, .required)
            .field("resident_id", .string, .required)
            .field("phone", .string)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "proposed_lists_project").on(ProposedListModel.schema).column("project_id").column("status").run()
        try await sql.create(index: "proposed_list_rows_county").on(ProposedListRowModel.schema).column("proposal_id").column("county_code").column("line").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ProposedListRowModel.schema).delete()
        try await database.schema(ProposedListModel.schema).delete()
    }
}
