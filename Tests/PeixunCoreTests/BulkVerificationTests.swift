import Testing
@testable import PeixunCore

/// 批量核实: which checked rows are verified, which are left and why, and what the county reads.
@Suite struct BulkVerificationTests {
    func entry(_ id: Int, _ name: String, batch: Int = 7, county: String? = "510104", status: EntryStatus = .pending,
               conflict: Bool = false, school: Bool = true) -> BulkVerification.Candidate {
        .init(id: id, name: name, batchID: batch, countyCode: county, status: status, hasConflict: conflict, schoolKnown: school)
    }

    @Test func onlyPendingEntriesOfTheCountysOpenPartAreVerifiedEachWithTheReasonItWasLeft() {
        let found = Dictionary(uniqueKeysWithValues: [
            entry(1, "张伟"), entry(2, "王芳", status: .verified), entry(3, "赵敏", status: .rejected),
            entry(4, "钱进", conflict: true), entry(5, "孙丽", school: false), entry(6, "李娜", county: "510105"),
            entry(7, "周杰", batch: 8), entry(8, "吴敏"), entry(9, "郑强", county: nil),
        ].map { ($0.id, $0) })
        let plan = BulkVerification.plan([1, 2, 3, 4, 5, 6, 7, 8, 9, 404], found: found, batchID: 7, county: "510104", open: true)
        #expect(plan.verify == [1, 8], "in the order asked for")
        #expect(plan.skipped.map(\.reason) == [.alreadyVerified, .rejected, .conflict, .schoolMissing, .notInCounty, .otherBatch, .notInCounty, .notInCounty])
        #expect(plan.skipped.filter { $0.reason == .notInCounty }.allSatisfy { $0.name.isEmpty },
                "another county's entry (or one in triage, or none at all) is not named")
        #expect(plan.skipped.first { $0.id == 7 }?.name == "周杰")
    }

    @Test func aSubmittedPartIsLockedAndNothingInItIsVerified() {
        let found = [1: entry(1, "张伟"), 2: entry(2, "王芳", status: .verified)]
        let plan = BulkVerification.plan([1, 2], found: found, batchID: 7, county: "510104", open: false)
        #expect(plan.verify.isEmpty)
        #expect(plan.skipped.map(\.reason) == [.locked, .locked], "locked says more than already verified")
    }

    @Test func theRequestIsBoundedAndEachIDCountsOnce() throws {
        #expect(try BulkVerification.requested([3, 1, 3, 2, 1]) == [3, 1, 2])
        #expect(throws: BulkVerification.Refusal.empty) { try BulkVerification.requested([]) }
        #expect(throws: BulkVerification.Refusal.tooMany(501)) { try BulkVerification.requested(Array(1...501)) }
        #expect(try BulkVerification.requested(Array(1...500) + Array(1...500)).count == 500, "repeats do not count against the bound")
        #expect(BulkVerification.Refusal.tooMany(501).message == "一次最多批量核实 500 人，本次选了 501 人，请分页核实")
        #expect(BulkVerification.Refusal.empty.message == "请先勾选要核实的人员")
    }

    @Test func theMessageSaysHowManyAndWhoWasLeftAndWhy() {
        #expect(BulkVerification.message(verified: 8, skipped: []) == "已批量核实 8 人。")
        let skipped: [BulkVerification.Skipped] = [
            .init(id: 4, name: "钱进", reason: .conflict), .init(id: 2, name: "王芳", reason: .alreadyVerified),
            .init(id: 9, name: "", reason: .notInCounty), .init(id: 10, name: "", reason: .notInCounty),
        ]
        #expect(BulkVerification.message(verified: 2, skipped: skipped)
            == "已批量核实 2 人；未核实 4 人：2 条不属于本县或不存在；王芳 已核实；钱进 有待处理的冲突，请逐条核实。")
        let many = (1...7).map { BulkVerification.Skipped(id: $0, name: "教师\($0)", reason: .alreadyVerified) }
        #expect(BulkVerification.message(verified: 0, skipped: many, namesPerReason: 3)
            == "已批量核实 0 人；未核实 7 人：教师1、教师2、教师3等 7 人 已核实。")
    }
}
