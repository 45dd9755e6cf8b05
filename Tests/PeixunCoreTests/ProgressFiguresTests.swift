import Testing
@testable import PeixunCore

@Suite struct ProgressFiguresTests {
    @Test func totalsUntrainedAndRateDeriveFromTheParts() {
        let chengdu = ProgressFigures(kindergarten: 28299, primarySecondary: 95455, vocational: 9988, trained: 82037)
        #expect(chengdu.total == 133742)
        #expect(chengdu.untrained == 51705)
        #expect(abs(chengdu.completionRate - 0.61340) < 0.00001)
    }

    @Test func untrainedIsNeverNegativeAndEmptyRegionsHaveZeroRate() {
        #expect(ProgressFigures(kindergarten: 3, trained: 5).untrained == 0)
        #expect(ProgressFigures(kindergarten: 3, trained: 5).completionRate == 1)
        #expect(ProgressFigures.zero.completionRate == 0)
    }

    @Test func appendixRowsAreConsistentAndTheTableTotalIsTheSumOfItsRows() {
        let table = ProgressTable(rows: Appendix1.cities.map { ProgressRow(key: $0.code, name: $0.code, figures: $0.figures) })
        #expect(table.total == ProgressFigures(kindergarten: 96885, primarySecondary: 601224, vocational: 39577, trained: 488756))
        #expect(table.total.total == Appendix1.printedSubtotal.total)
        #expect(table.totalUntrained == 248930)
        // The notice's printed subtotal is 201 off; we show the sum of the rows.
        #expect(Appendix1.printedSubtotal.trained - table.total.trained == 201)
    }

    @Test func statisticsYearIsTheSchoolYearThatStartedBeforeTheReportYear() {
        #expect(StatisticsYear.schoolYear(forReportYear: 2016, available: [2014, 2015, 2016]) == 2015)
        #expect(StatisticsYear.schoolYear(forReportYear: 2018, available: [2015]) == 2015)
        #expect(StatisticsYear.schoolYear(forReportYear: 2014, available: [2015]) == 2015)
        #expect(StatisticsYear.schoolYear(forReportYear: 2016, available: []) == nil)
        #expect(StatisticsYear.label(2015) == "2015/2016学年")
    }

    @Test func apportionmentHitsTheTotalAndRespectsCaps() {
        #expect(Apportionment.split(10, weights: [1, 1, 1]).reduce(0, +) == 10)
        let capped = Apportionment.split(10, weights: [5, 1, 1], caps: [2, 10, 10])
        #expect(capped.reduce(0, +) == 10)
        #expect(capped[0] <= 2)
    }
}
