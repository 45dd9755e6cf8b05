extension DemoCountyBuilder {
    /// The first `figures.trained` teachers of a shuffled order pass a project in 2014–2016;
    /// many take more; some of the others fail, or pass only in 2017.
    mutating func makeRecords(for teachers: [DemoTeacher], state: inout SharedState) -> [DemoRecord] {
        var order = Array(teachers.indices)
        order.shuffle(using: &random)
        var records: [DemoRecord] = []
        records.reserveCapacity(teachers.count * 2)
        func add(_ teacher: DemoTeacher, _ project: DemoProject, _ year: Int, _ result: TrainingResult) {
            records.append(DemoRecord(id: state.nextRecordID, teacherID: teacher.id, projectID: project.id, year: year, result: result))
            state.nextRecordID += 1
        }
        for (position, index) in order.enumerated() {
            let teacher = teachers[index]
            var taken = Set<Int>()
            if position < figures.trained {
                let roll = Double.random(in: 0..<1, using: &random)
                let firstYear = roll < 0.25 ? 2014 : roll < 0.60 ? 2015 : 2016
                if Double.random(in: 0..<1, using: &random) < 0.08, let project = pickProject(year: firstYear, excluding: taken) {
                    taken.insert(project.id)
                    add(teacher, project, firstYear, .failed)
                }
                if let project = pickProject(year: firstYear, excluding: taken) {
                    taken.insert(project.id)
                    add(teacher, project, firstYear, .passed)
                }
                for chance in [0.7, 0.4, 0.2] where Double.random(in: 0..<1, using: &random) < chance {
                    let year = Int.random(in: firstYear...2017, using: &random)
                    guard let project = pickProject(year: year, excluding: taken) else { continue }
                    taken.insert(project.id)
                    add(teacher, project, year, .passed)
                }
            } else {
                let failedYear = Int.random(in: 2014...2016, using: &random)
                if Double.random(in: 0..<1, using: &random) < 0.08, let project = pickProject(year: failedYear, excluding: taken) {
                    taken.insert(project.id)
                    add(teacher, project, failedYear, .failed)
                }
                let later = Double.random(in: 0..<1, using: &random)
                if later < 0.25, let project = pickProject(year: 2017, excluding: taken) {
                    add(teacher, project, 2017, .passed)
                } else if later < 0.35, let project = pickProject(year: 2017, excluding: taken) {
                    add(teacher, project, 2017, .inProgress)
                }
            }
        }
        return records
    }

    /// A project open to this county in `year`, by the programme's mix of levels.
    private mutating func pickProject(year: Int, excluding taken: Set<Int>) -> DemoProject? {
        let roll = Double.random(in: 0..<1, using: &random)
        let level: TrainingLevel = switch roll {
        case ..<0.15: .national
        case ..<0.35: .provincial
        case ..<0.60: .city
        case ..<0.95: .county
        default: .cooperation
        }
        let candidates = (openProjects[ProjectSlot(level: level, year: year)] ?? []).filter { !taken.contains($0.id) }
        if let project = candidates.randomElement(using: &random) { return project }
        // Fall back to the county's own project, which exists every year, then to any other.
        for fallback in [TrainingLevel.county, .city, .provincial, .national] {
            if let project = openProjects[ProjectSlot(level: fallback, year: year)]?.first(where: { !taken.contains($0.id) }) {
                return project
            }
        }
        return nil
    }
}

struct ProjectSlot: Hashable {
    let level: TrainingLevel
    let year: Int
}

extension DemoCountyBuilder {
    /// The projects this county's teachers can attend, by level and year.
    static func openProjects(_ projects: [DemoProject], county: Region) -> [ProjectSlot: [DemoProject]] {
        var slots: [ProjectSlot: [DemoProject]] = [:]
        for project in projects {
            let open: Bool = switch project.level {
            case .city: project.regionCode == county.parentCode
            case .county: project.regionCode == county.code
            case .cooperation: isEligible(county: county, for: project)
            default: true
            }
            guard open else { continue }
            for year in project.year...project.endYear {
                slots[ProjectSlot(level: project.level, year: year), default: []].append(project)
            }
        }
        return slots
    }

    private static func isEligible(county: Region, for project: DemoProject) -> Bool {
        guard let definition = CooperationProjects.all.first(where: { $0.name == project.name }) else { return false }
        if !definition.pilotCountyCodes.isEmpty { return definition.pilotCountyCodes.contains(county.code) }
        if !definition.cityCodes.isEmpty { return definition.cityCodes.contains(county.parentCode!) }
        return true
    }
}
