import Testing
@testable import PeixunCore

@Suite struct DemoNationGeneratorTests {
    @Test func nationalDirectoryHasARootAboveSichuanAndSyntheticCopies() {
        let directory = RegionDirectory.national(scale: 3)
        #expect(directory.province.code == "000000")
        #expect(directory.province.name == "全国")
        #expect(directory.children(of: "000000").map(\.code) == ["510000", "900000", "910000"])
        #expect(directory.children(of: "000000").map(\.name) == ["四川省", "模拟省01", "模拟省02"])
        #expect(directory.counties(in: "000000").count == 3 * 183)
        #expect(directory.counties(in: "910000").count == 183)
        #expect(directory.children(of: "900000").count == 21)
        #expect(directory.region(code: "900104")?.name == "模拟01锦江区")
        #expect(directory.isWithin("910104", ancestor: "000000"))
        #expect(!directory.isWithin("910104", ancestor: "510000"))
        #expect(Set(directory.regions.map(\.code)).count == directory.regions.count)
        #expect(directory.regions.filter { SyntheticProvinces.isSynthetic(code: $0.code) }.count == 1 + 2 * 205)
        #expect(!RegionDirectory.sichuan.regions.contains { SyntheticProvinces.isSynthetic(code: $0.code) })
        // Scale 1 is Sichuan alone, without a national root.
        #expect(RegionDirectory.national(scale: 1).nationalRoot == nil)
        #expect(RegionDirectory.national(scale: 1).province.code == "510000")
    }

    @Test func everyProvinceHasSichuansShapeAndFigures() {
        let nation = DemoNationGenerator(scale: 4, size: .full, seed: 2017)
        #expect(nation.provinces.count == 4)
        #expect(nation.countyCount == 4 * 183)
        #expect(nation.addedRegions.count == 1 + 3 * 205)
        for province in nation.provinces {
            let prefix = province.directory.province.code.prefix(2)
            #expect(province.countyPlans.count == 183)
            #expect(province.countyPlans.allSatisfy { $0.county.code.hasPrefix(prefix) })
            for (sichuanCity, expected) in Appendix1.cities {
                let city = prefix + sichuanCity.dropFirst(2)
                let sum = province.countyPlans.filter { $0.county.parentCode == String(city) }.reduce(ProgressFigures.zero) { $0 + $1.figures }
                #expect(sum == expected)
            }
        }
        // Sichuan in a nation is exactly the Sichuan of the one-province demo.
        let alone = DemoProvinceGenerator(scale: .full, seed: 2017)
        #expect(nation.provinces[0].countyPlans.map(\.figures) == alone.countyPlans.map(\.figures))
        #expect(nation.provinces[0].projects == alone.projects)
    }

    @Test func smallNationIsDeterministicWithUniqueIDsAndValidResidentIDs() throws {
        struct Digest: Equatable {
            var schools = 0, teachers = 0, records = 0
            var names: [String] = []
            var residentIDs = Set<String>()
            var teacherIDs = Set<Int>()
            var schoolIDs = Set<Int>()
            var recordIDs = Set<Int>()
            var countyCodes: [String] = []
        }
        func digest(seed: UInt64) -> Digest {
            var digest = Digest()
            for county in DemoNationGenerator(scale: 3, size: .small, seed: seed).counties() {
                digest.schools += county.schools.count
                digest.teachers += county.teachers.count
                digest.records += county.records.count
                digest.names += county.teachers.prefix(2).map(\.name)
                digest.residentIDs.formUnion(county.teachers.map(\.residentID.value))
                digest.teacherIDs.formUnion(county.teachers.map(\.id))
                digest.schoolIDs.formUnion(county.schools.map(\.id))
                digest.recordIDs.formUnion(county.records.map(\.id))
                digest.countyCodes.append(county.county.code)
                #expect(county.teachers.allSatisfy { $0.countyCode == county.county.code })
            }
            return digest
        }
        let first = digest(seed: 7), second = digest(seed: 7), other = digest(seed: 8)
        #expect(first == second)
        #expect(first.names != other.names)
        #expect(first.countyCodes.count == 3 * 183)
        #expect(Set(first.countyCodes).count == first.countyCodes.count)
        let perProvince = DemoProvinceGenerator.cityFigures(scale: .small).reduce(0) { $0 + $1.figures.total }
        #expect(first.teachers == 3 * perProvince)
        #expect(first.residentIDs.count == first.teachers)
        #expect(first.teacherIDs.count == first.teachers && first.teacherIDs.max() == first.teachers)
        #expect(first.schoolIDs.count == first.schools && first.schoolIDs.max() == first.schools)
        #expect(first.recordIDs.count == first.records && first.recordIDs.max() == first.records)
        for id in first.residentIDs.prefix(2000) { _ = try ResidentID.parse(id) }
        // Sichuan's teachers are born in Sichuan (51…); a synthetic province's in another real province.
        let prefixes = Set(first.residentIDs.map { $0.prefix(2) })
        #expect(prefixes == ["51", "11", "12"])
    }
}
