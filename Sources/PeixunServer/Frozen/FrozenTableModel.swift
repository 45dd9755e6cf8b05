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
