import Fluent
import PeixunCore

/// A training project (培训项目). City and county projects name the region that runs them;
/// cooperation projects may be limited to pilot counties.
final class ProjectModel: Model, @unchecked Sendable {
    static let schema = "projects"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "name") var name: String
    @Field(key: "level") var level: String
    @Field(key: "year") var year: Int
    @Field(key: "end_year") var endYear: Int
    @Field(key: "organiser") var organiser: String
    @OptionalField(key: "region_code") var regionCode: String?

    init() {}
}

extension ProjectModel {
    /// A cooperation project with the counties or cities it ran in (none: the whole province).
    static func createCooperation(name: String, organiser: String, years: ClosedRange<Int>, pilotRegions: [String],
                                  on database: any Database) async throws -> ProjectModel {
        let project = ProjectModel()
        project.name = name
        project.level = TrainingLevel.cooperation.rawValue
        project.year = years.lowerBound
        project.endYear = years.upperBound
        project.organiser = organiser
        try await project.create(on: database)
        for code in pilotRegions {
            let pilot = ProjectPilotCountyModel()
            pilot.projectID = try project.requireID()
            pilot.regionCode = code
            try await pilot.create(on: database)
        }
        return project
    }
}

/// The counties a cooperation project ran in (示范性网络研修: 盐亭, 泸县, 江安).
final class ProjectPilotCountyModel: Model, @unchecked Sendable {
    static let schema = "project_pilot_counties"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "project_id") var projectID: Int
    @Field(key: "region_code") var regionCode: String

    init() {}
}
