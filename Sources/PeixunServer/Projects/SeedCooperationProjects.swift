import Fluent
import PeixunCore

/// The four cooperation projects of the notice exist from the start.
struct SeedCooperationProjects: AsyncMigration {
    func prepare(on database: any Database) async throws {
        for definition in CooperationProjects.all {
            _ = try await ProjectModel.createCooperation(
                name: definition.name, organiser: definition.organiser, years: definition.startYear...definition.endYear,
                pilotRegions: definition.pilotCountyCodes + definition.cityCodes, on: database)
        }
    }

    func revert(on database: any Database) async throws {
        try await ProjectModel.query(on: database).filter(\.$level == TrainingLevel.cooperation.rawValue).delete()
    }
}
