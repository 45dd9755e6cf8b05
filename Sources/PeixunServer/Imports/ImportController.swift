import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import Vapor

/// One kind of spreadsheet import (teacher roster, official counts…): where it lives and how
/// an upload is checked or committed. `ImportController` gives every kind the same flow.
struct ImportKind: Sendable {
    /// `import_uploads.kind`, and the path segment under `/api/v1/…/import`.
    let kind: String
    let title: String
    /// Where it lives: /teachers/import…, and the API at /api/v1/teachers/import.
    let route: SiteURL.Imports.Kind
    let formTemplate: String
    /// Who may import this kind.
    var roles: [Role] = [.province, .city, .county]
    /// A list for the whole tree (a cooperation project's batch): the top office's alone (`CurrentUser.isTopOffice`).
    var topOfficeOnly = false
    /// What the upload form or the API query adds to the upload (create schools, school year).
    let configure: @Sendable (_ upload: ImportUploadModel, _ fields: ImportFields) throws -> Void
    let run: @Sendable (_ upload: ImportUploadModel, _ url: URL, _ context: ImportContext, _ dryRun: Bool, _ skipInvalid: Bool,
                        _ progress: ReadProgress?) async throws -> ImportOutcome

    static let all: [ImportKind] = [.teachers, .officialCounts, .qualifiedList, .proposedList]
}

/// Who imports, and where: the request's user, or the owner of a background job.
struct ImportContext: Sendable {
    let database: any Database
    let application: Application
    let scope: RegionScope
    let actor: AuditLog.Actor

    init(_ request: Request) throws {
        database = request.db
        application = request.application
        scope = try request.requireUser().scope
        actor = AuditLog.Actor(request)
    }

    init(_ job: JobContext) {
        database = job.db
        application = job.app
        scope = job.owner.scope
        actor = job.actor
    }
}

/// Options sent with an upload, by the form or in the API query.
struct ImportFields: Content {
    var createSchools: String?
    var year: Int?
    var projectID: Int?
    var dryRun: Bool?
    var skipInvalid: Bool?
    /// Made up by the upload page to poll `/api/v1/imports/progress/:token`.
    var progressToken: String?

    var wantsNewSchools: Bool { ["on", "1", "true"].contains(createSchools ?? "") }

    /// The fields of an upload form, read as the form's other parts were streamed.
    init(formFields: [String: String]) throws {
        func number(_ key: String) throws -> Int? {
            guard let text = formFields[key]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard let value = Int(text) else { throw AppError.badRequest(code: "form.number", "表单字段 \(key) 应为整数") }
            return value
        }
        createSchools = formFields["createSchools"]
        year = try number("year")
        projectID = try number("projectID")
        progressToken = formFields["progressToken"]
    }
}

/// Upload → preview (always a dry run, with the error workbook) → commit all rows, or only
/// the valid ones if the user chooses so; and the same as one API call for programs.
struct ImportController {
    static let maxUpload: ByteCount = "64mb"
    static let maxRows = 1_000_000

    let kind: ImportKind

    func boot(routes: any RoutesBuilder) {
        routes.get(.imports(.form(kind.route)), use: form)
        routes.upload(.imports(.form(kind.route)), use: upload)
        routes.get(.imports(.errors(kind.route, .key)), use: errorWorkbook)
        routes.post(.imports(.commit(kind.route, .key)), use: commit)
        routes.upload(.imports(.api(kind.route)), use: api)
    }

    private func requireImporter(_ request: Request) throws -> CurrentUser {
        let user = try request.requireUser()
        guard kind.roles.contains(user.role), !kind.topOfficeOnly || user.isTopOffice else { throw AppError.notFound() }
        return user
    }

    struct FormPage: Encodable, Sendable {
        struct Project: Encodable, Sendable { let id: Int; let name: String; let years: String }
        let pageTitle: String
        let action: String
        let error: String?
        let maxRows: Int
        let years: [Int]
        let year: Int
        let projects: [Project]
    }

    private func formPage(_ request: Request, _ error: String?, year: Int? = nil) async throws -> FormPage {
        var projects: [FormPage.Project] = []
        if kind.kind == ImportKind.proposedList.kind {
            projects = try await ProjectScope(try request.requireUser()).projects(on: request.db)
                .map { FormPage.Project(id: $0.id!, name: $0.name, years: "\($0.year)–\($0.endYear)") }
        } else if kind.kind == ImportKind.qualifiedList.kind {
            projects = try await ProjectModel.query(on: request.db).filter(\.$level == TrainingLevel.cooperation.rawValue).sort(\.$id).all()
                .map { FormPage.Project(id: $0.id!, name: $0.name, years: "\($0.year)–\($0.endYear)") }
        }
        return FormPage(pageTitle: kind.title, action: SiteURL.imports(.form(kind.route)).path, error: error, maxRows: Self.maxRows,
                        years: kind.route == .statistics ? try await ReportingYears.schoolYearChoices(on: request.sql, showing: year)
                            : try await ReportingYears.choices(on: request.sql, showing: year),
                        year: year ?? (kind.route == .statistics ? ReportingYears.currentSchoolYear : ReportingYears.current),
                        projects: projects)
    }

    @Sendable func form(request: Request) async throws -> View {
        _ = try requireImporter(request)
        return try await request.renderPage(kind.formTemplate, try await formPage(request, nil))
    }

    @Sendable func upload(request: Request) async throws -> Response {
        let user = try requireImporter(request)
        let received = try await request.application.uploads.receiveForm(of: request, limit: Self.maxUpload.value)
        defer { received.remove() }
        let fields = try ImportFields(formFields: received.fields)
        let upload = ImportUploadModel()
        upload.userID = user.id
        upload.kind = kind.kind
        upload.fileName = Self.safeName(received.fileName)
        upload.content = try Data(contentsOf: received.url, options: .alwaysMapped)
        upload.sha256 = ""
        upload.createSchools = false
        upload.createdAt = request.clock.now()
        do {
            try kind.configure(upload, fields)
        } catch let error as AppError {
            return try await request.renderPage(kind.formTemplate, try await formPage(request, error.reason)).encodeResponse(status: error.status, for: request)
        }
        try await ImportUploadModel.query(on: request.db).filter(\.$createdAt < request.clock.now().addingTimeInterval(-86_400)).delete()
        try await upload.create(on: request.db)
        var tracker: ImportProgressBoard.Tracker?
        if let token = fields.progressToken, ImportProgressBoard.isValid(token) {
            tracker = try await ImportProgressBoard.start(token: token, userID: user.id, app: request.application)
        }
        do {
            let outcome: ImportOutcome
            do {
                outcome = try await run(upload, file: received.url, request: request, dryRun: true, skipInvalid: false, progress: tracker?.progress)
                if let tracker { await ImportProgressBoard.finish(tracker, phase: .done, app: request.application) }
            } catch {
                if let tracker { await ImportProgressBoard.finish(tracker, phase: .failed, app: request.application) }
                throw error
            }
            upload.sha256 = outcome.report.sha256
            try await upload.update(on: request.db)
            return try await request.renderPage("import-preview", PreviewPage(kind: kind, upload: upload, outcome: outcome)).encodeResponse(for: request)
        } catch let error as SheetError {
            try await upload.delete(on: request.db)
            return try await request.renderPage(kind.formTemplate, try await formPage(request, error.message, year: upload.schoolYear))
                .encodeResponse(status: .unprocessableEntity, for: request)
        }
    }

    @Sendable func errorWorkbook(request: Request) async throws -> Response {
        let upload = try await find(request)
        return try await run(upload, request: request, dryRun: true, skipInvalid: false).errorWorkbookResponse(uploadedAs: upload.fileName)
    }

    struct CommitForm: Content { let mode: String }

    /// A large upload (a province's roster) is committed by a background job, so that the
    /// request returns at once and the owner watches its progress on the job page.
    @Sendable func commit(request: Request) async throws -> Response {
        let upload = try await find(request)
        let mode = try request.content.decode(CommitForm.self).mode
        if ImportKind.named(kind.kind) != nil, upload.content.count > request.application.jobs.settings.inlineImportBytes {
            let job = try await ImportCommitJob.enqueue(upload, kind: kind, skipInvalid: mode == "valid", request: request)
            return request.redirect(to: SiteURL.jobs(.page(.value(job.id!))).path, redirectType: .normal)
        }
        let outcome = try await run(upload, request: request, dryRun: false, skipInvalid: mode == "valid")
        if outcome.report.committed { try await upload.delete(on: request.db) }
        return try await request.renderPage("import-preview", PreviewPage(kind: kind, upload: upload, outcome: outcome)).encodeResponse(for: request)
    }

    /// `POST /api/v1/<path>?dryRun=true&skipInvalid=false[&createSchools=true][&year=2016]` with the
    /// file as the body and its name in `X-File-Name`: the import report as JSON.
    @Sendable func api(request: Request) async throws -> ImportReport {
        let user = try requireImporter(request)
        let fields = try request.query.decode(ImportFields.self)
        let upload = ImportUploadModel()
        upload.userID = user.id
        upload.kind = kind.kind
        upload.fileName = Self.safeName(request.headers.first(name: "X-File-Name")?.removingPercentEncoding ?? "upload")
        upload.createSchools = false
        try kind.configure(upload, fields)
        let received = try await request.application.uploads.receiveBody(of: request, limit: Self.maxUpload.value, fileName: upload.fileName)
        defer { received.remove() }
        do {
            return try await run(upload, file: received.url, request: request, dryRun: fields.dryRun ?? true, skipInvalid: fields.skipInvalid ?? false).report
        } catch let error as SheetError {
            throw AppError(.unprocessableEntity, code: error.code.rawValue, error.message)
        }
    }

    /// Runs the import on `file`, or on the stored upload written out to a private file again
    /// (a preview's commit, which may reach another instance).
    private func run(_ upload: ImportUploadModel, file: URL? = nil, request: Request, dryRun: Bool, skipInvalid: Bool,
                     progress: ReadProgress? = nil) async throws -> ImportOutcome {
        _ = try requireImporter(request)
        let context = try ImportContext(request)
        if let file { return try await kind.runMeasured(upload, file, context, dryRun, skipInvalid, progress) }
        return try await kind.runStored(upload, context: context, dryRun: dryRun, skipInvalid: skipInvalid, progress: progress)
    }

    /// Uploads belong to the user who made them, and to their kind; anything else is 404.
    private func find(_ request: Request) async throws -> ImportUploadModel {
        let user = try requireImporter(request)
        guard let id = request.parameters.get(.uploadID, as: Int.self),
              let upload = try await ImportUploadModel.query(on: request.db).filter(\.$id == id).filter(\.$userID == user.id)
                .filter(\.$kind == kind.kind).first()
        else { throw AppError.notFound("上传的文件") }
        return upload
    }

    static func safeName(_ name: String) -> String {
        let base = (name as NSString).lastPathComponent.filter { !"\\/:*?\"<>|\r\n".contains($0) }
        return base.isEmpty ? "upload" : String(base.prefix(120))
    }
}

struct PreviewPage: Encodable, Sendable {
    let pageTitle = "导入预览"
    let formURL: String
    let commitURL: String
    let errorsURL: String
    let fileName: String
    let report: ImportReport
    let refusedRows: Int
    let shownErrors: [RowIssue]
    let moreErrors: Int
    let mayCommitAll: Bool
    let mayCommitValid: Bool
    let hasErrors: Bool
    let hasIgnoredColumns: Bool
    let hasNewSchools: Bool
    let noteCount: Int
    /// What a commit did: written, or (an institution's list) waiting for the province.
    let committedNote: String

    init(kind: ImportKind, upload: ImportUploadModel, outcome: ImportOutcome) {
        committedNote = kind.kind == ImportKind.proposedList.kind ? "已上报，待省执行办审核后发布到各县；审核结果见“合格名单上报”" : "已写入数据库，并记入审计日志"
        formURL = SiteURL.imports(.form(kind.route)).path
        commitURL = SiteURL.imports(.commit(kind.route, .value(upload.id ?? 0))).path
        errorsURL = SiteURL.imports(.errors(kind.route, .value(upload.id ?? 0))).path
        fileName = upload.fileName
        report = outcome.report
        refusedRows = Set(outcome.report.errors.map(\.row)).count
        shownErrors = Array(outcome.report.errors.prefix(200))
        moreErrors = max(0, outcome.report.errors.count - 200)
        mayCommitAll = !outcome.report.committed && outcome.report.errors.isEmpty && outcome.report.valid > 0
        mayCommitValid = !outcome.report.committed && !outcome.report.errors.isEmpty && outcome.report.valid > 0
        hasErrors = !outcome.report.errors.isEmpty
        hasIgnoredColumns = !outcome.report.ignoredColumns.isEmpty
        hasNewSchools = !outcome.report.newSchools.isEmpty
        noteCount = outcome.report.notes.count
    }
}

extension ImportKind {
    static let teachers = ImportKind(
        kind: "teachers", title: "导入教师名册", route: .teachers, formTemplate: "teacher-import",
        configure: { upload, fields in upload.createSchools = fields.wantsNewSchools },
        run: { upload, url, context, dryRun, skipInvalid, progress in
            var options = TeacherImporter.Options()
            options.progress = progress
            options.dryRun = dryRun
            options.skipInvalid = skipInvalid
            options.createSchools = upload.createSchools
            options.maxRows = ImportController.maxRows
            let importer = TeacherImporter(database: context.database, regions: context.application.regions,
                                           scope: context.scope, actor: context.actor)
            return try await importer.run(url: url, fileName: upload.fileName, options: options)
        })

    static let officialCounts = ImportKind(
        kind: "official_counts", title: "导入专任教师数", route: .statistics, formTemplate: "counts-import",
        configure: { upload, fields in
            guard let year = fields.year, OfficialCountImporter.years.contains(year) else {
                throw AppError.badRequest(code: "year.invalid", "请选择学年（学年开始的年份，如 2016 表示 2016—2017 学年）")
            }
            upload.schoolYear = year
        },
        run: { upload, url, context, dryRun, skipInvalid, progress in
            var options = OfficialCountImporter.Options(dryRun: dryRun, skipInvalid: skipInvalid, schoolYear: upload.schoolYear ?? 0)
            options.progress = progress
            let importer = OfficialCountImporter(database: context.database, regions: context.application.regions,
                                                 scope: context.scope, actor: context.actor)
            return try await importer.run(url: url, fileName: upload.fileName, options: options)
        })
}

extension ImportKind {
    static let qualifiedList = ImportKind(
        kind: "qualified_list", title: "导入合作项目合格人员名单", route: .integration, formTemplate: "qualified-import",
        roles: [.province], topOfficeOnly: true,
        configure: { upload, fields in
            guard let project = fields.projectID else { throw AppError.badRequest(code: "project.invalid", "请选择合作项目") }
            guard let year = fields.year, OfficialCountImporter.years.contains(year) else {
                throw AppError.badRequest(code: "year.invalid", "请选择培训年度")
            }
            upload.projectID = project
            upload.schoolYear = year
        },
        run: { upload, url, context, dryRun, skipInvalid, progress in
            let options = QualifiedListImporter.Options(dryRun: dryRun, skipInvalid: skipInvalid, projectID: upload.projectID ?? 0,
                                                        year: upload.schoolYear ?? 0, progress: progress)
            let importer = QualifiedListImporter(database: context.database, regions: context.application.regions, actor: context.actor)
            return try await importer.run(url: url, fileName: upload.fileName, options: options)
        })
}
