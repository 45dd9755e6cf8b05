/// 批量核实: a county ticks the rows of its worklist that it has checked against paper and
/// verifies them at once. Which of the requested entries are verified and which are left as
/// they are, each with the reason the county reads, is decided here; nothing outside the county's
/// open part of the batch is touched, and nothing that needs a decision of its own (a rejection
/// to overturn, a conflict to clear, a school to name) is decided in bulk.
public enum BulkVerification {
    /// One request verifies at most this many entries (a worklist page is 100).
    public static let maximumEntries = 500

    /// What the certificate number of a bulk verification records: the numbers are on the paper
    /// list the county checked, as the feedback table's "见反馈表" says for an uploaded table.
    public static let certificateOnPaper = "见纸质核对名单"

    /// Why an entry was left as it was.
    public enum Skip: String, Sendable, Codable, CaseIterable, Comparable {
        /// Not an entry of this county (or no entry at all: the two are not told apart).
        case notInCounty = "not_in_county"
        case otherBatch = "other_batch"
        /// The county's part has been submitted (or approved): it is locked.
        case locked
        case alreadyVerified = "already_verified"
        case rejected
        case conflict
        /// Unknown to the registry and no school on the list: the school is asked for row by row.
        case schoolMissing = "school_missing"

        public var label: String {
            switch self {
            case .notInCounty: "不属于本县或不存在"
            case .otherBatch: "不属于本批名单"
            case .locked: "本县名单已提交，不能再修改"
            case .alreadyVerified: "已核实"
            case .rejected: "已不予认定，如需改为核实请逐条操作"
            case .conflict: "有待处理的冲突，请逐条核实"
            case .schoolMissing: "尚未在名册中登记，请逐条核实并填写所在学校"
            }
        }

        /// Whether the county may see the entry's name in the message.
        var namesEntry: Bool { self != .notInCounty }

        public static func < (a: Skip, b: Skip) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    /// What the county's worklist knows about one requested entry.
    public struct Candidate: Sendable, Equatable {
        public let id: Int
        public let name: String
        public let batchID: Int
        public let countyCode: String?
        public let status: EntryStatus
        public let hasConflict: Bool
        /// A school on the list, or the teacher is in the registry (where the school comes from).
        public let schoolKnown: Bool

        public init(id: Int, name: String, batchID: Int, countyCode: String?, status: EntryStatus, hasConflict: Bool, schoolKnown: Bool) {
            self.id = id
            self.name = name
            self.batchID = batchID
            self.countyCode = countyCode
            self.status = status
            self.hasConflict = hasConflict
            self.schoolKnown = schoolKnown
        }
    }

    public struct Skipped: Sendable, Equatable, Codable {
        public let id: Int
        /// Empty when the county may not know who it is (`notInCounty`).
        public let name: String
        public let reason: Skip

        public init(id: Int, name: String, reason: Skip) {
            self.id = id
            self.name = name
            self.reason = reason
        }
    }

    public struct Plan: Sendable, Equatable {
        /// In the order asked for, each once.
        public var verify: [Int] = []
        public var skipped: [Skipped] = []
    }

    public enum Refusal: Error, Equatable, Sendable {
        case empty
        case tooMany(Int)

        public var message: String {
            switch self {
            case .empty: "请先勾选要核实的人员"
            case .tooMany(let count): "一次最多批量核实 \(BulkVerification.maximumEntries) 人，本次选了 \(count) 人，请分页核实"
            }
        }
    }

    /// The requested IDs, each once, in the order given; refused when there are none or too many.
    public static func requested(_ ids: [Int]) throws(Refusal) -> [Int] {
        var seen = Set<Int>()
        let unique = ids.filter { seen.insert($0).inserted }
        guard !unique.isEmpty else { throw .empty }
        guard unique.count <= maximumEntries else { throw .tooMany(unique.count) }
        return unique
    }

    /// Decides each requested entry of `county`'s part of `batchID`. `found` holds the entries the
    /// county's scope reaches (others are `notInCounty`); `open` is whether that part may still
    /// be edited.
    public static func plan(_ ids: [Int], found: [Int: Candidate], batchID: Int, county: String, open: Bool) -> Plan {
        var plan = Plan()
        for id in ids {
            guard let entry = found[id], entry.countyCode == county else {
                plan.skipped.append(Skipped(id: id, name: "", reason: .notInCounty))
                continue
            }
            let reason: Skip? =
                if entry.batchID != batchID { .otherBatch }
                else if !open { .locked }
                else if entry.status == .verified { .alreadyVerified }
                else if entry.status == .rejected { .rejected }
                else if entry.hasConflict { .conflict }
                else if !entry.schoolKnown { .schoolMissing }
                else { nil }
            if let reason {
                plan.skipped.append(Skipped(id: id, name: entry.name, reason: reason))
            } else {
                plan.verify.append(id)
            }
        }
        return plan
    }

    /// What the county reads afterwards: "已批量核实 8 人；未核实 2 人：张三 已核实；李四 有待处理的冲突，请逐条核实。"
    /// Up to `namesPerReason` names per reason, then "等 N 人".
    public static func message(verified: Int, skipped: [Skipped], namesPerReason: Int = 5) -> String {
        var text = "已批量核实 \(verified) 人"
        guard !skipped.isEmpty else { return text + "。" }
        let parts = Dictionary(grouping: skipped, by: \.reason).sorted { $0.key < $1.key }.map { reason, entries in
            guard reason.namesEntry else { return "\(entries.count) 条\(reason.label)" }
            let names = entries.prefix(namesPerReason).map(\.name).joined(separator: "、")
            let more = entries.count > namesPerReason ? "等 \(entries.count) 人" : ""
            return "\(names)\(more) \(reason.label)"
        }
        text += "；未核实 \(skipped.count) 人：" + parts.joined(separator: "；") + "。"
        return text
    }
}
