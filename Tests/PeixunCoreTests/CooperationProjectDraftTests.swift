import Testing
@testable import PeixunCore

@Suite struct CooperationProjectDraftTests {
    let regions = RegionDirectory.sichuan

    @Test func aCompleteDraftResolvesItsPilotRegionsInOrderWithoutRepeats() throws {
        let draft = CooperationProjectDraft(name: "  中国联通乡村教师信息化培训 ", organiser: "四川省教育厅　中国联通",
                                            startYear: 2015, endYear: 2016, pilotRegions: "盐亭县、泸县,510723；甘孜州")
        let valid = try draft.validate(regions: regions, takenNames: [])
        #expect(valid.name == "中国联通乡村教师信息化培训")
        #expect(valid.pilotRegionCodes == ["510723", "510521", "513300"])
        #expect(valid.startYear == 2015 && valid.endYear == 2016)
    }

    @Test func everyMistakeIsNamedAtOnce() throws {
        let draft = CooperationProjectDraft(name: "中国移动中小学教师信息技术能力培训", organiser: " ", startYear: 2017, endYear: 2015,
                                            pilotRegions: "市中区 火星县 四川省")
        let issues = (#expect(throws: InputRefusal.self) { try draft.validate(regions: regions, takenNames: ["中国移动中小学教师信息技术能力培训"]) })?.issues ?? []
        #expect(issues.map(\.code) == ["project.name_taken", "project.organiser_missing", "project.years_order",
                                       "region.unknown", "region.unknown", "region.not_pilot"])
        try #require(issues.count == 6)
        #expect(issues[3].message.contains("乐山市市中区") && issues[3].message.contains("内江市市中区"))
        #expect(issues.map(\.column).contains("试点地区"))
    }

    @Test func yearsMustBePresentAndPlausible() {
        let draft = CooperationProjectDraft(name: "x", organiser: "y", startYear: nil, endYear: 1999, pilotRegions: "")
        let issues = (#expect(throws: InputRefusal.self) { try draft.validate(regions: regions, takenNames: []) })?.issues ?? []
        #expect(issues.map(\.code) == ["project.year_missing", "project.year_invalid"])
    }
}

@Suite struct DeadlineCountdownTests {
    @Test func countsCalendarDaysAcrossMonthsAndLeapYears() {
        let deadline = CivilDate(year: 2016, month: 9, day: 30)!
        #expect(CivilDate(year: 2016, month: 2, day: 28)!.days(until: deadline) == 215)
        #expect(CivilDate(year: 2016, month: 10, day: 2)!.days(until: deadline) == -2)
        #expect(CivilDate(year: 2015, month: 12, day: 31)!.days(until: CivilDate(year: 2016, month: 12, day: 31)!) == 366)
    }

    @Test func concernsOnlyALevelThatStillHasWorkToDo() {
        let deadline = CivilDate(year: 2017, month: 9, day: 30)!
        let near = DeadlineCountdown(deadline: deadline, today: CivilDate(year: 2017, month: 9, day: 25)!, state: .open)
        #expect(near.label == "还剩 5 天" && near.isNear && !near.isOverdue)
        #expect(DeadlineCountdown(deadline: deadline, today: deadline, state: .returned).label == "今天截止")
        let late = DeadlineCountdown(deadline: deadline, today: CivilDate(year: 2017, month: 10, day: 3)!, state: .open)
        #expect(late.label == "已逾期 3 天" && late.isOverdue)
        let done = DeadlineCountdown(deadline: deadline, today: CivilDate(year: 2017, month: 10, day: 3)!, state: .submitted)
        #expect(done.label == "—" && !done.isOverdue)
    }
}
