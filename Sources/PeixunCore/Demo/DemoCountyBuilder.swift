/// Builds one county of the demo province: its schools, teachers and training records.
struct DemoCountyBuilder {
    /// What must stay unique across counties: ids and resident IDs.
    struct SharedState: Sendable {
        var nextSchoolID = 1
        var nextTeacherID = 1
        var nextRecordID = 1
        var usedIDBodies = Set<Int64>()
    }

    let county: Region
    let figures: ProgressFigures
    let directory: RegionDirectory
    let openProjects: [ProjectSlot: [DemoProject]]
    var random: SeededGenerator

    init(county: Region, figures: ProgressFigures, directory: RegionDirectory, projects: [DemoProject], random: SeededGenerator) {
        self.county = county
        self.figures = figures
        self.directory = directory
        self.openProjects = Self.openProjects(projects, county: county)
        self.random = random
    }

    static let averageSchoolSize: [Stage: Double] = [.kindergarten: 14, .primarySecondary: 42, .vocational: 70]

    mutating func build(state: inout SharedState) -> DemoCounty {
        let schools = makeSchools(state: &state)
        var teachers: [DemoTeacher] = []
        teachers.reserveCapacity(figures.total)
        let cityCode = SyntheticProvinces.sichuanTwin(of: county.parentCode!)
        let birthplaces = birthplaceCodes()
        for (school, size) in schools {
            for _ in 0..<size {
                let name = DemoNames.personName(cityCode: cityCode, using: &random)
                let id = makeResidentID(birthplaces: birthplaces, state: &state)
                teachers.append(DemoTeacher(
                    id: state.nextTeacherID, schoolID: school.id, countyCode: county.code, stage: school.kind.stage,
                    name: name, residentID: id, mobile: DemoNames.mobile(using: &random)))
                state.nextTeacherID += 1
            }
        }
        let records = makeRecords(for: teachers, state: &state)
        return DemoCounty(county: county, officialCounts: figures, schools: schools.map(\.0), teachers: teachers, records: records)
    }

    // MARK: Schools

    private mutating func makeSchools(state: inout SharedState) -> [(DemoSchool, Int)] {
        var result: [(DemoSchool, Int)] = []
        var usedNames = Set<String>()
        var namer = DemoSchoolNamer(county: county, provinceName: directory.province.name)
        for stage in Stage.allCases where figures[stage] > 0 {
            let teachers = figures[stage]
            let count = max(1, Int((Double(teachers) / Self.averageSchoolSize[stage]!).rounded()))
            let sizes = Apportionment.split(teachers, weights: (0..<count).map { _ in Double.random(in: 0.3...1.7, using: &random) })
            for size in sizes where size > 0 {
                let kind = schoolKind(for: stage)
                let name = namer.next(kind: kind, used: &usedNames, random: &random)
                result.append((DemoSchool(id: state.nextSchoolID, countyCode: county.code, name: name, kind: kind), size))
                state.nextSchoolID += 1
            }
        }
        return result
    }

    private mutating func schoolKind(for stage: Stage) -> SchoolKind {
        switch stage {
        case .kindergarten: return .kindergarten
        case .vocational: return .vocational
        case .primarySecondary:
            let roll = Double.random(in: 0..<1, using: &random)
            switch roll {
            case ..<0.55: return .primary
            case ..<0.80: return .juniorSecondary
            case ..<0.88: return .nineYear
            case ..<0.95: return .seniorSecondary
            default: return .completeSecondary
            }
        }
    }

    // MARK: People

    /// Most teachers were born in their county; some elsewhere in the city. Counties whose
    /// code changed after the teachers were born carry the old code in their IDs.
    private func birthplaceCodes() -> [String] {
        let oldCodes = Dictionary(directory.changes.map { ($0.newCode, $0.oldCode) }, uniquingKeysWith: { first, _ in first })
        let own = oldCodes[county.code] ?? county.code
        let neighbours = directory.children(of: county.parentCode!).map { oldCodes[$0.code] ?? $0.code }
        let codes = Array(repeating: own, count: 17) + neighbours.prefix(3)
        // A synthetic province's teachers carry a real province's prefix (see SyntheticProvinces).
        guard let birthPrefix = SyntheticProvinces.birthPrefix(forProvince: county.code) else { return codes }
        return codes.map { birthPrefix + $0.dropFirst(2) }
    }

    private mutating func makeResidentID(birthplaces: [String], state: inout SharedState) -> ResidentID {
        while true {
            let area = birthplaces.randomElement(using: &random)!
            let year = Int.random(in: 1957...1997, using: &random)
            let month = Int.random(in: 1...12, using: &random)
            let day = Int.random(in: 1...CivilDate.daysIn(month: month, year: year), using: &random)
            // Two thirds of teachers are women: even sequence digit.
            let female = Double.random(in: 0..<1, using: &random) < 0.66
            let sequence = Int.random(in: 0...499, using: &random) * 2 + (female ? 0 : 1)
            let body = Int64(area)! * 100_000_000_000 + Int64(year * 10_000 + month * 100 + day) * 1000 + Int64(sequence)
            guard state.usedIDBodies.insert(body).inserted else { continue }
            var digits = String(body)
            while digits.count < 17 { digits = "0" + digits }
            return ResidentID.completing(body: digits)
        }
    }
}
