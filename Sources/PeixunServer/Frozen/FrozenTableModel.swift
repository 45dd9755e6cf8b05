import Fluent
import Foundation
import PeixunCore
import SQLKit

/// Which approved table a snapshot keeps.
enum FrozenKind: String, Sendable, Codable, CaseIterable {
    /// 附件3 培训计划及执行情况: subject = the year, region = the approved city.
    case plan
    /// 整合培训项目教师参训情况汇总表: subject = the integration batch, region = the approved city.
    case summary
    /// 附件1 培训实施情况统计表: subject = the year, region = the approved city.
    case progress

    var label: String {
        switch self {
        case .plan: "培训计划及执行情况（附件3）"
        case .summary: "整合培训项目教师参训情况汇总表（附件2）"
        case .progress: "培训实施情况统计表（附件1）"
        }
    }
}

/// One table as the province approved it: its cells (`grid`, for the difference against the
/// live table), what its workbook needs (`payload`, so the approved version downloads in the
/// live export's layout), who approved it and when. Reopening the approval marks it reopened;
/// approving again keeps a new one.
final class FrozenTableModel: Model, @unchecked Sendable {
    static let schema = "frozen_tables"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "kind") var kind: String
    @Field(key: "subject_id") var subjectID: Int
    @Field(key: "region_code") var regionCode: String
    @Field(key: "title") var title: String
    @Field(key: "approved_by") var approvedBy: String
    @Field(key: "approver_name") var approverName: String
    @Field(key: "approved_at") var approvedAt: Date
    @Field(key: "grid") var grid: String
    @Field(key: "payload") var payload: String
    @OptionalField(key: "reopened_at") var reopenedAt: Date?
    @OptionalField(key: "reopened_by") var reopenedBy: String?

    init() {}

    var frozenKind: FrozenKind? { FrozenKind(rawValue: kind) }

    func decodedGrid() throws -> FrozenGrid {
        do {
            return try JSONDecoder().decode(FrozenGrid.self, from: Data(grid.utf8))
        } catch {
            throw AppError(.internalServerError, code: "frozen.corrupt", "已审核表格快照 \(id ?? 0) 无法读取（表格数据损坏）")
        }
    }
}

struct CreateFrozenTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(FrozenTableModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("kind", .string, .required, .sql(raw: "CHECK (kind IN ('plan', 'summary'))"))
            .field("subject_id", .int, .required)
            .field("region_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("title", .string, .required)
            .field("approved_by", .string, .required)
            .field("approver_name", .string, .required)
            .field("approved_at", .datetime, .required)
            .field("grid", .string, .required)
            .field("payload", .string, .required)
            .field("reopened_at", .datetime)
            .field("reopened_by", .string)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(FrozenTableModel.schema).delete()
    }
}

/// Appendix 1 snapshots (`progress`) need a wider CHECK on `kind`. PostgreSQL swaps the
/// constraint; SQLite cannot alter one, so the table is created again from its own stored
/// definition with the new CHECK, and its rows copied, ids included.
struct AllowProgressFrozenTables: AsyncMigration {
    static let before = "'plan', 'summary'"
    static let after = "'plan', 'summary', 'progress'"

    // In one transaction each (DDL is transactional on both databases): a crash halfway through
    // the SQLite rebuild would otherwise leave `frozen_tables_old` and a migration that cannot run again.
    func prepare(on database: any Database) async throws {
        try await database.transaction { db in
            try await allow(from: Self.before, to: Self.after, on: db)
        }
    }

    func revert(on database: any Database) async throws {
        try await database.transaction { db in
            try await (db as! any SQLDatabase).raw("DELETE FROM frozen_tables WHERE kind = 'progress'").run()
            try await allow(from: Self.after, to: Self.before, on: db)
        }
    }

    private func allow(from old: String, to new: String, on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await sql.raw("ALTER TABLE frozen_tables DROP CONSTRAINT frozen_tables_kind_check").run()
            try await sql.raw("ALTER TABLE frozen_tables ADD CONSTRAINT frozen_tables_kind_check CHECK (kind IN (\(unsafeRaw: new)))").run()
            return
        }
        struct Definition: Decodable { let sql: String }
        guard let definition = try await sql.raw("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'frozen_tables'")
            .first(decoding: Definition.self)?.sql, definition.contains("IN (\(old))") else {
            throw AppError(.internalServerError, code: "migration.frozen_tables", "frozen_tables 表的定义与预期不符，无法放宽 kind 的取值")
        }
        try await sql.raw("ALTER TABLE frozen_tables RENAME TO frozen_tables_old").run()
        try await sql.raw("\(unsafeRaw: definition.replacingOccurrences(of: "IN (\(old))", with: "IN (\(new))"))").run()
        try await sql.raw("INSERT INTO frozen_tables SELECT * FROM frozen_tables_old ORDER BY id").run()
        try await sql.raw("DROP TABLE frozen_tables_old").run()
    }
}
