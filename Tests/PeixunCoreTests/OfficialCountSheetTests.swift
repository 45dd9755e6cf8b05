import Testing
@testable import PeixunCore

@Suite struct OfficialCountSheetTests {
    func long(_ number: Int, _ county: String, _ stage: String, _ count: String, city: String = "") -> RawOfficialCountRow {
        var row = RawOfficialCountRow(row: number)
        row.city = city
        row.county = county
        row.stage = stage
        row.count = count
        return row
    }

    func wide(_ number: Int, _ county: String, _ cells: [Stage: String], total: String = "") -> RawOfficialCountRow {
        var row = RawOfficialCountRow(row: number)
        row.county = county
        row.stageCells = cells
        row.total = total
        return row
    }

    @Test func longTablesWithMatchingSubtotalsAreTaken() {
        var checker = OfficialCountSheetChecker(regions: .sichuan, scope: .all, wide: false)
        let rows = [
            long(3, "锦江区", "幼儿园", "1,203"), long(4, "锦江区", "中小学", "4521"), long(5, "锦江区", "小计", "5724"),
            long(6, "青羊区", "中小学", "3980.0"), long(7, "成都市小计", "", "9704"), long(8, "成都市小计", "幼儿园", "1203"),
            long(9, "自流井区", "中职", "０３１２"), long(10, "合计", "", "10016"), long(11, "成都市", "", "9704"),
        ]
        for row in rows { #expect(checker.check(row).isEmpty, "row \(row.row)") }
        #expect(checker.finish().isEmpty)
        #expect(checker.entries.map(\.teachers) == [1203, 4521, 3980, 312])
        #expect(checker.entries.map(\.county.code) == ["510104", "510104", "510105", "510302"])
        #expect(checker.entries.map(\.stage) == [.kindergarten, .primarySecondary, .primarySecondary, .vocational])
    }

    @Test func everyTotalThatDisagreesIsReportedWithItsDifference() {
        var checker = OfficialCountSheetChecker(regions: .sichuan, scope: .all, wide: false)
        _ = checker.check(long(3, "锦江区", "幼儿园", "100"))
        _ = checker.check(long(4, "锦江区", "中小学", "200"))
        let county = checker.check(long(5, "锦江区", "小计", "301"))
        #expect(county.map(\.code) == ["total.mismatch"])
        #expect(county.first?.message.contains("相差 1") == true)
        let group = checker.check(long(6, "小计", "", "300"))
        #expect(group.isEmpty)
        _ = checker.check(long(7, "自流井区", "中小学", "50"))
        let subtotal = checker.check(long(8, "小计", "", "300"))
        #expect(subtotal.first?.message.contains("对应各行之和为 50") == true, "a subtotal covers the rows since the previous one")
        let grand = checker.check(long(9, "合计", "", "349"))
        #expect(grand.map(\.code) == ["total.mismatch"] && grand.first?.message.contains("350") == true)
        _ = checker.check(long(10, "自贡市", "", "49"))
        #expect(checker.finish().map(\.row) == [10], "a city row is checked against its counties")
    }

    @Test func badRowsAreNamedAndTotalsOverThemAreNotBlamed() {
        var checker = OfficialCountSheetChecker(regions: .sichuan, scope: .city("510100"), wide: false)
        #expect(checker.check(long(3, "锦江", "高中部", "10")).map(\.code) == ["stage.invalid"])
        #expect(checker.check(long(4, "锦江区", "中小学", "-5")).map(\.code) == ["count.invalid"])
        #expect(checker.check(long(5, "自流井区", "中小学", "5")).map(\.code) == ["region.out_of_scope"])
        #expect(checker.check(long(6, "火星区", "中小学", "5")).map(\.code) == ["region.unknown"])
        #expect(checker.check(long(7, "锦江区", "幼儿园", "5")).isEmpty)
        #expect(checker.check(long(8, "锦江区", "幼儿园", "6")).map(\.code) == ["count.duplicate_in_file"])
        #expect(checker.check(long(9, "合计", "", "999")).isEmpty)
        #expect(checker.entries.count == 1)
    }

    @Test func wideTablesCheckTheirTotalColumnAndSubtotalRows() {
        var checker = OfficialCountSheetChecker(regions: .sichuan, scope: .all, wide: true)
        #expect(checker.check(wide(3, "锦江区", [.kindergarten: "10", .primarySecondary: "20", .vocational: ""], total: "30")).isEmpty)
        #expect(checker.check(wide(4, "青羊区", [.kindergarten: "1", .primarySecondary: "2", .vocational: "3"], total: "7")).map(\.code) == ["total.mismatch"])
        #expect(checker.check(wide(5, "金牛区", [.kindergarten: "x"])).map(\.code) == ["count.invalid"])
        #expect(checker.check(wide(6, "武侯区", [.kindergarten: "", .primarySecondary: ""])).map(\.code) == ["count.invalid"])
        #expect(checker.entries.count == 2)

        var clean = OfficialCountSheetChecker(regions: .sichuan, scope: .all, wide: true)
        _ = clean.check(wide(3, "锦江区", [.kindergarten: "10", .primarySecondary: "20"]))
        _ = clean.check(wide(4, "青羊区", [.kindergarten: "1", .primarySecondary: "2", .vocational: "3"]))
        let subtotal = clean.check(wide(5, "小计", [.kindergarten: "11", .primarySecondary: "23", .vocational: "3"], total: "37"))
        #expect(subtotal.map(\.column) == ["中小学", "合计"])
    }
}
