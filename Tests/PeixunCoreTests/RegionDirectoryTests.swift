import Testing
@testable import PeixunCore

@Suite struct RegionDirectoryTests {
    let regions = RegionDirectory.sichuan

    @Test func hasTheProvinceItsCitiesAndCounties() {
        #expect(regions.province.name == "四川省")
        #expect(regions.children(of: "510000").count == 21)
        #expect(regions.counties(in: "510000").count == 183)
        #expect(regions.counties(in: "510100").count == 20)
    }

    @Test(arguments: [
        ("成都", "510100"), ("成都市", "510100"), ("阿坝", "513200"), ("阿坝州", "513200"),
        ("阿坝藏族羌族自治州", "513200"), ("凉山", "513400"), ("凉山州", "513400"), ("甘孜", "513300"),
        ("锦江区", "510104"), ("锦江", "510104"), ("马边", "511133"), ("北川县", "510726"),
        ("泸县", "510521"), ("510104", "510104"), (" 成都市 锦江区 ", "510104"),
    ])
    func resolvesCurrentNames(text: String, code: String) {
        #expect(regions.resolve(text).region?.code == code, "\(text)")
    }

    @Test(arguments: [
        ("郫县", "510117"), ("双流县", "510116"), ("512081", "510185"), ("510124", "510117"),
        ("宜宾县", "511504"), ("新津县", "510118"), ("会理县", "513402"), ("马尔康县", "513201"),
    ])
    func resolvesHistoricNamesAndCodes(text: String, code: String) {
        let match = regions.resolve(text)
        #expect(match.region?.code == code, "\(text)")
        if case .found(_, let kind) = match {
            #expect(kind == .historicName || kind == .historicCode)
        }
    }

    @Test func sameNameInTwoCitiesIsAmbiguousUntilNarrowed() {
        guard case .ambiguous(let candidates) = regions.resolve("市中区") else {
            Issue.record("市中区 should be ambiguous"); return
        }
        #expect(Set(candidates.map(\.parentCode)) == ["511000", "511100"])
        #expect(regions.resolve("市中区", within: "511100").region?.code == "511102")
        #expect(regions.resolve("乐山市市中区").region?.code == "511102")
    }

    @Test func prefersTheCityWhenAShortNameAlsoNamesAnOldCounty() {
        #expect(regions.resolve("宜宾").region?.code == "511500")
    }

    @Test func suggestsCloseNamesWhenNothingMatches() {
        guard case .notFound(let suggestions) = regions.resolve("锦江县") else {
            Issue.record("锦江县 is not a region"); return
        }
        #expect(suggestions.first?.code == "510104")
    }

    @Test func levelAndSubtreeFiltersApply() {
        #expect(regions.resolve("成都", level: .county).region == nil)
        #expect(regions.resolve("锦江区", within: "510300").region == nil)
        #expect(regions.isWithin("510104", ancestor: "510100"))
        #expect(!regions.isWithin("510104", ancestor: "510300"))
    }

    @Test func shortNamesKeepTwoCharacterNames() {
        #expect(Region(code: "x", name: "泸县", level: .county, parentCode: nil).shortName == "泸县")
        #expect(Region(code: "x", name: "凉山彝族自治州", level: .city, parentCode: nil).shortName == "凉山")
    }

    @Test func aVeryLongTextIsNotFoundQuicklyWithoutSuggestions() {
        let started = ContinuousClock.now
        let match = regions.resolve(String(repeating: "锦江区", count: 100_000), level: .county)
        #expect(match.region == nil)
        #expect(regions.unresolvedMessage(match, typed: "x")?.contains("是否为") == false)
        #expect(ContinuousClock.now - started < .seconds(2))
    }
}
