import Testing
@testable import PeixunCore

@Suite struct TrainingPlanTests {
    /// 锦江区-sized: 1,000 teachers, 600 trained, a gap of 400.
    let figures = ProgressFigures(kindergarten: 200, primarySecondary: 700, vocational: 100, trained: 600)

    func codes(_ demand: Int?, _ plan: Int?, platform: Bool = true, remarks: String = "") -> [String] {
        PlanRow(figures: figures, entry: PlanEntry(provincialDemand: demand, localPlan: plan, usesProvincialPlatform: platform, remarks: remarks))
            .warnings.map(\.code)
    }

    @Test func aPlanCoveringTheGapAtTwentyEightyHasNoWarnings() {
        #expect(PlanRow(figures: figures, entry: PlanEntry()).gap == 400)
        #expect(codes(80, 320) == [])
        #expect(codes(100, 400) == [], "more than the gap is fine")
    }

    @Test func demandPlusPlanBelowTheGapIsWarnedWithTheShortfall() {
        let row = PlanRow(figures: figures, entry: PlanEntry(provincialDemand: 70, localPlan: 280))
        #expect(row.warnings == [PlanWarning(code: "plan.below_gap", message: "需求数与计划数合计 350 人，少于未培训人数（缺口数）400 人，还差 50 人")])
        #expect(codes(80, 319) == ["plan.below_gap"])
    }

    @Test func theSplitIsWarnedOnlyBeyondFivePoints() {
        // 25 % and 15 % are on the edge: no warning; 25.1 % and 14.9 % are beyond it.
        #expect(codes(100, 300) == [])
        #expect(codes(60, 340) == [])
        #expect(codes(251, 749) == ["plan.split"])
        #expect(codes(149, 851) == ["plan.split"])
        let row = PlanRow(figures: figures, entry: PlanEntry(provincialDemand: 200, localPlan: 200))
        #expect(row.warnings == [PlanWarning(code: "plan.split", message: "省级及以上项目占 50.0%、市县级培训占 50.0%，与“省级 20%、市县两级 80%”的原则相差超过 5 个百分点")])
        #expect(codes(0, 0) == ["plan.below_gap"], "nothing planned has no split to judge")
    }

    @Test func anUnfilledRowAndTrainingsOffThePlatformWithoutRemarksAreWarned() {
        #expect(codes(nil, nil) == ["plan.incomplete"])
        #expect(PlanRow(figures: figures, entry: PlanEntry(provincialDemand: 80)).warnings.first?.message == "尚未填写市县级培训计划数")
        #expect(codes(80, 320, platform: false) == ["plan.platform_remarks"])
        #expect(codes(80, 320, platform: false, remarks: "县级培训使用自建平台") == [])
    }

    @Test func negativeAndAbsurdNumbersAreRefusedNotWarned() {
        #expect(throws: PlanRefusal(code: "plan.negative", message: "省级及以上项目需求数不能为负数（填写了 -1）")) {
            try PlanEntry(provincialDemand: -1, localPlan: 10).validated()
        }
        #expect(throws: PlanRefusal.self) { try PlanEntry(provincialDemand: 1, localPlan: -5).validated() }
        #expect(throws: PlanRefusal.self) { try PlanEntry(localPlan: 10_000_001).validated() }
        let cleaned = try? PlanEntry(provincialDemand: 0, localPlan: 0, remarks: "  说明\u{0}  " + String(repeating: "字", count: 300)).validated()
        #expect(cleaned?.remarks.hasPrefix("说明") == true && cleaned?.remarks.count == 200)
    }

    @Test func sumsAddFiguresAndEntriesAndCountUnfilledAsZero() {
        let a = PlanRow(figures: figures, entry: PlanEntry(provincialDemand: 80, localPlan: 320))
        let b = PlanRow(figures: ProgressFigures(primarySecondary: 10, trained: 20), entry: PlanEntry(usesProvincialPlatform: false))
        let sum = PlanRow.sum([a, b])
        #expect(sum.figures.total == 1010 && sum.figures.trained == 620)
        #expect(sum.entry.provincialDemand == 80 && sum.entry.localPlan == 320 && !sum.entry.usesProvincialPlatform)
        #expect(PlanRow.gapSum([a, b]) == 400, "a row with more trained than counted has no gap, not a negative one")
    }
}

@Suite struct PlanSheetTests {
    let header: [[String]] = [
        ["附件3"], ["2017年市(州)县(区)能力提升工程培训计划及执行情况"], ["市(州)教育行政部门(盖章)：成都市", "", "", "", "", "填表人："],
        ["地区", "", "专任教师数", "", "", "", "已培训人数", "未培训人数(缺口数)", "2017培训计划数", "", "备注"],
        ["市(州)", "县(市、区)", "幼儿园", "中小学", "职业中学", "合计总数", "", "", "省级及以上项目需求数", "市县级培训计划数"],
    ]

    @Test func countyRowsAreReadUntilTheSubtotalAndTheRemarksCarryThePlatform() {
        let parsed = PlanSheet.parse(header + [
            ["成都市", "锦江区", "1", "2", "3", "6", "1", "5", "1", "4", ""],
            ["成都市", "青羊区", "1", "2", "3", "6", "1", "5", "1,000", "", "市县级培训未纳入省级平台：自建平台"],
            ["小计", "", "2", "4", "6", "12", "2", "10", "2", "4"],
            ["成都市", "金牛区", "", "", "", "", "", "", "9", "9"],
        ])
        #expect(parsed.issues == [])
        #expect(parsed.lines == [
            PlanSheet.Line(row: 6, county: "锦江区", entry: PlanEntry(provincialDemand: 1, localPlan: 4)),
            PlanSheet.Line(row: 7, county: "青羊区", entry: PlanEntry(provincialDemand: 1000, localPlan: nil, usesProvincialPlatform: false, remarks: "自建平台")),
        ])
    }

    @Test func badNumbersAndOtherLayoutsAreIssuesWithTheirRows() {
        let parsed = PlanSheet.parse(header + [["成都市", "锦江区", "", "", "", "", "", "", "-3", "abc"]])
        #expect(parsed.issues.map(\.row) == [6, 6])
        #expect(parsed.issues[0].message == "锦江区：市县级培训计划数应为整数（填写了“abc”）")
        #expect(PlanSheet.parse([["姓名", "身份证号"]]).issues.first?.message.contains("附件3") == true)
    }
}
