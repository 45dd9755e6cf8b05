import Fluent
import Foundation
import PeixunCore

/// Which approved table a snapshot keeps.
enum FrozenKind: String, Sendable, Codable, CaseIterable {
    /// 附件3 培训计划及执行情况: subject = the year, region = the approved city.
    case plan
    /// 整合培训项目教师参训情况汇总表: subject = the integration batch, region = the approved city.
    case summary

    var label: String {
        switch self {
        case .plan: "培训计划及执行情况（附件3）"
        case .summary: "整合培训项目教师参训情况汇总表（附件2）"
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
