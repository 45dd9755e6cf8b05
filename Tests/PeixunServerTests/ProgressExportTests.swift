import PeixunCore
import Testing
@testable import PeixunServer

@Suite struct ProgressExportTests {
    let report = ProgressReport(
        year: 2016, region: RegionDirectory.sichuan.region(code: "513400")!, rowLevel: .county, schoolYear: 2015,
        table: ProgressTable(rows: [
            ProgressRow(key: "513401", name: "西昌市", figures: .init(kindergarten: 10, primarySecondary: 20, vocational: 5, trained: 30)),
            ProgressRow(key: "513422", name: "=HYPERLINK(\"x\"),木里", figures: .init(primarySecondary: 4, trained: 9)),
        ]),
        officialTotal: nil)

    @Test func csvHasOneLinePerRowAndATotalOfTheRows() {
        let lines = ProgressExport.csv(report).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count == 4)
        #expect(lines[0] == "代码,名称,幼儿园,中小学,中职,合计,已培训,未培训,完成率")
        #expect(lines[1] == "513401,西昌市,10,20,5,35,30,5,0.8571")
        #expect(lines[2] == "513422,\"'=HYPERLINK(\"\"x\"\"),木里\",0,4,0,4,9,0,1.0000")
        // The total's untrained is the sum of the rows' (5 + 0), not total − trained.
        #expect(lines[3] == "513400,小计,10,24,5,39,39,5,1.0000")
    }

    @Test func percentagesAreRoundedToTwoDecimals() {
        #expect(Percent.format(0.613402) == "61.34%")
        #expect(Percent.format(0.0005) == "0.05%")
        #expect(Percent.format(1) == "100.00%")
        #expect(Percent.format(0) == "0.00%")
    }

    @Test func workbookFootnotesFollowTheNoticeOnlyForTheProvinceIn2016() {
        let province = ProgressReport(year: 2016, region: RegionDirectory.sichuan.province, rowLevel: .city, schoolYear: 2015,
                                      table: ProgressTable(rows: []), officialTotal: nil)
        #expect(ProgressExport.workbookContent(for: province).footnotes == Appendix1.footnotes)
        let city = ProgressExport.workbookContent(for: report)
        #expect(city.title == "凉山彝族自治州中小学教师信息技术应用能力提升工程培训实施情况统计表")
        #expect(city.footnotes[0].contains("2015/2016学年"))
        #expect(city.rowHeader == "县(市、区)")
    }
}
