import Fluent
import Vapor

/// Every migration, in the order it landed. Never edit or reorder a landed migration; add.
enum Migrations {
    static func register(on app: Application) {
        app.migrations.add(CreateRegions())
        app.migrations.add(CreateSchools())
        app.migrations.add(CreateTeachers())
        app.migrations.add(CreateOfficialCounts())
        app.migrations.add(CreateProjects())
        app.migrations.add(SeedCooperationProjects())
        app.migrations.add(CreateTrainingRecords())
        app.migrations.add(CreateProgressRollups())
        app.migrations.add(CreateIndexes())
        app.migrations.add(CreateUsers())
        app.migrations.add(CreateAuthTables())
        app.migrations.add(CreateSessions())
        app.migrations.add(CreateAuditLog())
        app.migrations.add(CreateCountyProgressRollups())
        app.migrations.add(CreateImportUploads())
        app.migrations.add(CreateTransfers())
        app.migrations.add(AddUploadSchoolYear())
        app.migrations.add(CreateIntegrationTables())
        app.migrations.add(AddUploadProject())
        app.migrations.add(AddEntryRecordCreated())
        app.migrations.add(CreateEntryFiguresIndex())
        app.migrations.add(AddMustChangePassword())
        app.migrations.add(CreateSubmissions())
        app.migrations.add(CreateCertificates())
        app.migrations.add(CreateReissueTables())
        app.migrations.add(CreateContacts())
        app.migrations.add(CreateTimelinessTables())
        app.migrations.add(CreatePlans())
        app.migrations.add(CreateProposedLists())
        app.migrations.add(CreateFrozenTables())
        app.migrations.add(CreateJobs())
        app.migrations.add(CreateImportProgress())
        app.migrations.add(CreateReissueStatementFiles())
        app.migrations.add(AllowProgressFrozenTables())
        app.migrations.add(CreateJobsOwnerIndex())
        app.migrations.add(PlaceProvinceAccounts())
    }
}
