import Fluent
import Foundation
import PeixunCore

extension BatchApproval {
    /// The province moves a batch's deadline; submissions already made are judged late or on
    /// time again against the new date, in the same transaction.
    /// - Returns: the new deadline and how many late flags changed.
    func setDeadline(batchID: Int, to text: String?) async throws -> (deadline: CivilDate, reflagged: Int) {
        guard let batch = try await IntegrationBatchModel.find(batchID, on: database) else { throw AppError.notFound("整合批次") }
        try requireTopOffice()
        let typed = (text ?? "").trimmingCharacters(in: .whitespaces)
        guard let deadline = CivilDate(iso: typed), typed.count <= 10 else {
            throw InputRefusal(field: "截止日期", code: "deadline.invalid", "“\(typed)”不是有效日期，请按 \(batch.year)-09-30 的格式填写")
        }
        guard (batch.year...batch.year + 3).contains(deadline.year) else {
            throw InputRefusal(field: "截止日期", code: "deadline.out_of_range",
                               "截止日期应在 \(batch.year) 年至 \(batch.year + 3) 年之间（这是 \(batch.year) 年度的名单）")
        }
        return try await database.transaction { db in
            let before = batch.deadline
            batch.deadline = deadline.description
            try await batch.update(on: db)
            let reflagged = try await approvals.rejudgeLateness(subject: batchID, deadline: deadline, on: db)
            try await AuditLog.record(on: db, actor: actor, action: .update, objectType: "integration_batch", objectID: String(batchID),
                                      changes: ["deadline": .init(before: before, after: deadline.description)],
                                      summary: "将整合名单截止日期由 \(before) 改为 \(deadline)" + (reflagged > 0 ? "（\(reflagged) 个提交的逾期标记随之改变）" : ""))
            return (deadline, reflagged)
        }
    }
}
