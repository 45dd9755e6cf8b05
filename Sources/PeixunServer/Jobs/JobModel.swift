import Fluent
import Foundation
import SQLKit

/// A background job: long work (a province's certificates, a province roster's commit, a big
/// export) that any instance may pick up and that outlives the request which asked for it.
///
/// Its state lives here only, so that a poll reaching any instance sees it and a restart
/// finds it: `queued` → `running` (claimed: `locked_by`, `heartbeat_at`) → `done` or `failed`.
final class JobModel: Model, @unchecked Sendable {
    static let schema = "jobs"

    enum State: String, Sendable, Codable, CaseIterable {
        case queued, running, done, failed

        var label: String {
            switch self {
            case .queued: "排队中"
            case .running: "进行中"
            case .done: "已完成"
            case .failed: "未完成"
            }
        }

        var isFinished: Bool { self == .done || self == .failed }
    }

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "kind") var kind: String
    @Field(key: "state") var state: String
    /// What the job works on, as the kind's own JSON.
    @Field(key: "payload") var payload: String
    /// What it produced (counts, an import report), as the kind's own JSON; set when done.
    @OptionalField(key: "result") var result: String?
    @Field(key: "done") var done: Int
    @Field(key: "total") var total: Int
    /// What it is doing now, in Chinese ("正在签发：锦江区").
    @Field(key: "phase") var phase: String
    @Field(key: "owner_id") var ownerID: Int
    /// The address the owner asked from, for the audit entries the job writes.
    @Field(key: "owner_address") var ownerAddress: String
    @OptionalField(key: "region_code") var regionCode: String?
    @Field(key: "attempts") var attempts: Int
    /// Whether a run cut short (a crash) may simply run again: its work commits in one
    /// transaction or in idempotent steps. Otherwise such a job is marked failed.
    @Field(key: "retryable") var retryable: Bool
    @OptionalField(key: "locked_by") var lockedBy: String?
    @OptionalField(key: "heartbeat_at") var heartbeatAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "started_at") var startedAt: Date?
    @OptionalField(key: "finished_at") var finishedAt: Date?
    /// Why it failed, in Chinese.
    @OptionalField(key: "error") var error: String?

    init() {}

    func storedState() throws -> State {
        try .read(state, table: Self.schema, row: id, column: "state")
    }
}
