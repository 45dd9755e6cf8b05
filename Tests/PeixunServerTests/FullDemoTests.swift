import Foundation
import PeixunCore
import Testing
import VaporTesting
@testable import PeixunServer

/// The whole province (737,686 teachers, ~1.27 million records): minutes in a debug build,
/// so `make test` runs it once, on SQLite, with PEIXUN_TEST_FULL_DEMO=1.
@Suite struct FullDemoTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["PEIXUN_TEST_FULL_DEMO"] == "1"))
    func fullDemoReproducesEveryRowOfAppendix1() async throws {
        try await withTestApp(demo: .full, seed: 2017) { app in
            let province = try await report(app, region: nil, year: Appendix1.reportYear)
            let expected = Dictionary(uniqueKeysWithValues: Appendix1.cities.map { ($0.code, $0.figures) })
            #expect(province.rows.count == 21)
            for row in province.rows {
                let figures = try #require(expected[row.code])
                #expect(row.kindergarten == figures.kindergarten, "\(row.name)")
                #expect(row.primarySecondary == figures.primarySecondary, "\(row.name)")
                #expect(row.vocational == figures.vocational, "\(row.name)")
                #expect(row.total == figures.total, "\(row.name)")
                #expect(row.trained == figures.trained, "\(row.name)")
                #expect(row.untrained == figures.untrained, "\(row.name)")
            }
            #expect(province.total.total == 737_686)
            #expect(province.total.trained == 488_756)
            #expect(province.total.untrained == 248_930)
        }
    }
}
