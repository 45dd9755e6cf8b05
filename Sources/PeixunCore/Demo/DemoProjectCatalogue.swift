/// The programme's projects 2014–2017 at every level, plus the four cooperation projects.
enum DemoProjectCatalogue {
    static let years = 2014...2017

    static func make(directory: RegionDirectory) -> [DemoProject] {
        var projects: [DemoProject] = []
        func add(_ name: String, _ level: TrainingLevel, _ year: Int, _ organiser: String, _ region: String?, endYear: Int? = nil) {
            projects.append(DemoProject(id: projects.count + 1, name: name, level: level, year: year, endYear: endYear ?? year, organiser: organiser, regionCode: region))
        }
        for definition in CooperationProjects.all {
            add(definition.name, .cooperation, definition.startYear, definition.organiser, nil, endYear: definition.endYear)
        }
        let province = directory.province.name
        for year in years {
            add("国培计划（\(year)）—四川省中小学教师信息技术应用能力提升工程网络研修项目", .national, year, "教育部 财政部", nil)
            add("国培计划（\(year)）—中西部项目信息技术应用能力提升培训", .national, year, "教育部 财政部", nil)
            add("\(year)年\(province)中小学教师信息技术应用能力提升工程省级培训项目", .provincial, year, "\(province)教育厅", nil)
            add("\(year)年\(province)中小学幼儿园教师信息技术应用能力提升远程培训", .provincial, year, "\(province)教育厅", nil)
        }
        for city in directory.children(of: directory.province.code) {
            for year in years {
                add("\(city.name)\(year)年中小学教师信息技术应用能力提升培训", .city, year, "\(city.name)教育局", city.code)
            }
        }
        for county in directory.counties(in: directory.province.code) {
            let city = directory.parent(of: county)!.name
            for year in years {
                add("\(city)\(county.name)\(year)年教师信息技术应用能力提升校本培训", .county, year, "\(city)\(county.name)教育局", county.code)
            }
        }
        return projects
    }
}
