import Foundation
import Testing
@testable import PeixunCore

@Suite struct BarChartTests {
    func rates(_ bars: [(String, Double)]) -> BarChart {
        BarChart(title: "各市(州)完成率", summary: "21 个市(州)", series: [.init(name: "完成率", cssClass: "bar-a")],
                 bars: bars.map { .init(label: $0.0, values: [$0.1]) }, scale: .rate)
    }

    @Test func drawsOneBarPerLabelWithTitleAndDescription() {
        let svg = rates([("成都市", 0.6134), ("自贡市", 0.6884)]).svg
        #expect(svg.hasPrefix("<svg class=\"chart\" role=\"img\""))
        #expect(svg.hasSuffix("</svg>"))
        #expect(svg.contains("<title id=\"chart-") && svg.contains(">各市(州)完成率</title>"))
        #expect(svg.contains("<desc id=\"chart-") && svg.contains(">21 个市(州)</desc>"))
        #expect(svg.components(separatedBy: "<rect class=\"bar-a\"").count - 1 == 2)
        #expect(svg.contains(">61.3%</text>") && svg.contains(">68.8%</text>"))
        #expect(svg.contains("<title>成都市：完成率 61.3%</title>"))
    }

    @Test func barLengthIsProportionalAndClamped() {
        let svg = rates([("甲", 0.5), ("乙", 1.7), ("丙", -0.2)]).svg
        let plot = BarChart.width - BarChart.labelWidth - BarChart.valueWidth
        #expect(svg.contains("width=\"\(BarChart.number(plot / 2))\""))
        #expect(svg.contains("width=\"\(BarChart.number(plot))\""))
        #expect(svg.contains("width=\"0\""))
    }

    @Test func escapesNamesAndTitles() {
        let chart = BarChart(title: "<script>alert(1)</script>", summary: "a & b \"q\"", series: [.init(name: "计划<数>", cssClass: "bar-a")],
                             bars: [.init(label: "<img src=x onerror=alert(1)>", values: [3])], scale: .count)
        let svg = chart.svg
        #expect(!svg.contains("<script>") && !svg.contains("<img"))
        #expect(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(svg.contains("a &amp; b &quot;q&quot;"))
        #expect(svg.contains("计划&lt;数&gt;"))
    }

    @Test func longChineseNamesAreCutButKeptInTheTooltip() {
        let name = "阿坝藏族羌族自治州汶川县第一实验学校"
        let svg = rates([(name, 0.5)]).svg
        #expect(svg.contains(">阿坝藏族羌族自治…</text>"))
        #expect(svg.contains("<title>\(name)：完成率 50.0%</title>"))
        #expect(BarChart.shortLabel("成都市") == "成都市")
        #expect(BarChart.shortLabel(name).count == BarChart.labelCharacters)
    }

    @Test func emptyDataShowsTheEmptyState() {
        #expect(rates([]).svg == "<p class=\"chart-empty\">暂无数据</p>")
        let none = BarChart(title: "t", summary: "s", series: [], bars: [.init(label: "x", values: [])], scale: .count, emptyText: "尚无<计划>")
        #expect(none.svg == "<p class=\"chart-empty\">尚无&lt;计划&gt;</p>")
    }

    @Test func twoSeriesHaveALegendAndCountsAreGrouped() {
        let chart = BarChart(title: "目标考核", summary: "计划与已培训", series: [.init(name: "计划数", cssClass: "bar-a"), .init(name: "已培训", cssClass: "bar-b")],
                             bars: [.init(label: "成都市", values: [51705, 20000]), .init(label: "自贡市", values: [0, 0])], scale: .count)
        let svg = chart.svg
        #expect(svg.contains("class=\"chart-legend\">计划数</text>") && svg.contains("class=\"chart-legend\">已培训</text>"))
        #expect(svg.contains(">51,705</text>") && svg.contains(">20,000</text>"))
        #expect(BarChart.grouped(1_234_567) == "1,234,567" && BarChart.grouped(-1000) == "-1,000" && BarChart.grouped(12) == "12")
        #expect(chart.axisMaximum == 51705)
    }

    @Test func chartsWithDifferentTitlesHaveDifferentIDs() {
        #expect(rates([("a", 0.1)]).id != BarChart(title: "趋势", summary: "", series: [], bars: [], scale: .rate).id)
    }
}
