import Testing
@testable import PeixunCore

@Suite struct DemoProvinceGeneratorTests {
    @Test func fullScalePlanReproducesEveryRowOfAppendix1() {
        let generator = DemoProvinceGenerator(scale: .full, seed: 2017)
        let regions = RegionDirectory.sichuan
        #expect(generator.countyPlans.count == 183)
        for (cityCode, expected) in Appendix1.cities {
            let counties = generator.countyPlans.filter { $0.county.parentCode == cityCode }
            let sum = counties.reduce(ProgressFigures.zero) { $0 + $1.figures }
            #expect(sum == expected, "\(regions.region(code: cityCode)!.name)")
            #expect(counties.allSatisfy { $0.figures.trained <= $0.figures.total })
        }
    }

    @Test func smallScaleIsGeneratedDeterministicallyWithValidUniqueIDs() throws {
        func digest(seed: UInt64) -> (teachers: Int, records: Int, firstNames: [String], ids: Set<String>) {
            var teachers = 0, records = 0
            var names: [String] = []
            var ids = Set<String>()
            DemoProvinceGenerator(scale: .small, seed: seed).generate { county in
                teachers += county.teachers.count
                records += county.records.count
                names += county.teachers.prefix(2).map(\.name)
                ids.formUnion(county.teachers.map(\.residentID.value))
            }
            return (teachers, records, names, ids)
        }
        let first = digest(seed: 7), second = digest(seed: 7), other = digest(seed: 8)
        #expect(first.teachers == second.teachers)
        #expect(first.firstNames == second.firstNames)
        #expect(first.firstNames != other.firstNames)
        #expect(first.ids.count == first.teachers)
        let expectedTeachers = DemoProvinceGenerator.cityFigures(scale: .small).reduce(0) { $0 + $1.figures.total }
        #expect(first.teachers == expectedTeachers)
        #expect(first.records > first.teachers / 2)
        for id in first.ids.prefix(500) {
            let parsed = try ResidentID.parse(id)
            #expect((1957...1997).contains(parsed.id.birthDate.year))
        }
    }

    @Test func eachCountyTrainsExactlyItsPlannedTeachersBy2016() {
        let generator = DemoProvinceGenerator(scale: .small, seed: 3)
        let plans = Dictionary(uniqueKeysWithValues: generator.countyPlans.map { ($0.county.code, $0.figures) })
        generator.generate { county in
            let passedBy2016 = Set(county.records.filter { $0.result == .passed && $0.year <= 2016 }.map(\.teacherID))
            #expect(passedBy2016.count == plans[county.county.code]!.trained, "\(county.county.name)")
            for stage in Stage.allCases {
                #expect(county.teachers.filter { $0.stage == stage }.count == plans[county.county.code]![stage])
            }
            #expect(Set(county.schools.map(\.name)).count == county.schools.count)
        }
    }

    @Test func projectsIncludeTheFourCooperationProjectsByTheirExactNames() {
        let names = Set(DemoProvinceGenerator(scale: .small).projects.map(\.name))
        for definition in CooperationProjects.all { #expect(names.contains(definition.name)) }
        #expect(names.contains("示范性网络研修与校本研修整合项目"))
    }
}
