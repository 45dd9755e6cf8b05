import Fluent
import PeixunCore
import Vapor

/// The cooperation projects (合作项目): the notice's four from the first migration, and the
/// ones the province adds.
struct ProjectCatalogue {
    let database: any Database
    let regions: RegionDirectory
    let user: CurrentUser
    let actor: AuditLog.Actor

    struct ProjectDTO: Content {
        let id: Int
        let name: String
        let organiser: String
        let startYear: Int
        let endYear: Int
        /// Codes of the counties or cities it ran in; empty: the whole province.
        let pilotRegions: [String]
        let pilotRegionNames: String
        /// The years whose qualified list has been imported.
        let batchYears: [Int]
    }

    func cooperationProjects() async throws -> [ProjectDTO] {
        let projects = try await ProjectModel.query(on: database).filter(\.$level == TrainingLevel.cooperation.rawValue).sort(\.$id).all()
        let pilots = Dictionary(grouping: try await ProjectPilotCountyModel.query(on: database).sort(\.$id).all(), by: \.projectID)
        let batches = Dictionary(grouping: try await IntegrationBatchModel.query(on: database).sort(\.$year).all(), by: \.projectID)
        return projects.map { project in
            let codes = (pilots[project.id!] ?? []).map(\.regionCode)
            let names = codes.compactMap { regions.region(code: $0).map(regions.qualifiedName(of:)) }
            return ProjectDTO(id: project.id!, name: project.name, organiser: project.organiser, startYear: project.year,
                              endYear: project.endYear, pilotRegions: codes, pilotRegionNames: names.isEmpty ? "全省" : names.joined(separator: "、"),
                              batchYears: (batches[project.id!] ?? []).map(\.year))
        }
    }

    /// Adds a project; only the province may. Every mistake in the draft is refused at once.
    func add(_ draft: CooperationProjectDraft) async throws -> ProjectDTO {
        try user.requireTopOffice(code: "project.not_province", "新增合作项目")
        let taken = Set(try await ProjectModel.query(on: database).all().map(\.name))
        let valid = try draft.validate(regions: regions, takenNames: taken)
        let id = try await database.transaction { database in
            let project = try await ProjectModel.createCooperation(
                name: valid.name, organiser: valid.organiser, years: valid.startYear...valid.endYear,
                pilotRegions: valid.pilotRegionCodes, on: database)
            let pilots = valid.pilotRegionCodes.compactMap { regions.region(code: $0)?.name }.joined(separator: "、")
            try await AuditLog.record(
                on: database, actor: actor, action: .create, objectType: "project", objectID: String(try project.requireID()),
                changes: ["name": .init(before: nil, after: valid.name), "organiser": .init(before: nil, after: valid.organiser),
                          "years": .init(before: nil, after: "\(valid.startYear)–\(valid.endYear)"),
                          "pilot_regions": .init(before: nil, after: pilots.isEmpty ? nil : pilots)],
                summary: "新增合作项目“\(valid.name)”（\(valid.startYear)–\(valid.endYear)年）")
            return try project.requireID()
        }
        guard let created = try await cooperationProjects().first(where: { $0.id == id }) else { throw AppError.notFound("项目") }
        return created
    }
}
