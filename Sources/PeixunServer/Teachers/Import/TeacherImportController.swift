import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import Vapor

/// 导入教师名册 on the web: upload → preview (always a dry run, with the error workbook)
/// → commit all rows, or only the valid ones if the user chooses so. And the same as one
/// API call for programs.
struct TeacherImportController {
    static let maxUpload: ByteCount = "64mb"

    func boot(routes: any RoutesBuilder) {
        routes.get("teachers", "import", use: form)
        routes.on(.POST, "teachers", "import", body: .collect(maxSize: Self.maxUpload), use: upload)
        routes.get("teachers", "import", ":uploadID", "errors.xlsx", use: errorWorkbook)
        routes.post("teachers", "import", ":uploadID", "commit", use: commit)
        routes.on(.POST, "api", "v1", "teachers", "import", body: .collect(maxSize: Self.maxUpload), use: api)
    }

    private func requireImporter(_ request: Request) throws -> CurrentUser {
        let user = try request.requireUser()
        guard [.province, .city, .county].contains(user.role) else { throw AppError.notFound() }
        return user
    }

    struct FormPage: Encodable, Sendable {
        let pageTitle = "导入教师名册"
        let error: String?
        let maxRows: Int
    }

    @Sendable func form(request: Request) async throws -> View {
        _ = try requireImporter(request)
        return try await request.renderPage("teacher-import", FormPage(error: nil, maxRows: TeacherImporter.Options().maxRows))
    }

    struct UploadForm: Content {
        let file: File
        let createSchools: String?
    }

    @Sendable func upload(request: Request) async throws -> Response {
        let user = try requireImporter(request)
        let form = try request.content.decode(UploadForm.self)
        let upload = ImportUploadModel()
        upload.userID = user.id
        upload.kind = "teachers"
        upload.fileName = Self.safeName(form.file.filename)
        upload.content = Data(buffer: form.file.data)
        upload.sha256 = ""
        upload.createSchools = form.createSchools == "on" || form.createSchools == "1"
        upload.createdAt = Date()
        try await ImportUploadModel.query(on: request.db).filter(\.$createdAt < Date().addingTimeInterval(-86_400)).delete()
        try await upload.create(on: request.db)
        do {
            let outcome = try await run(upload, request: request, dryRun: true, skipInvalid: false)
            upload.sha256 = outcome.report.sha256
            try await upload.update(on: request.db)
            return try await request.renderPage("teacher-import-preview", PreviewPage(upload: upload, outcome: outcome)).encodeResponse(for: request)
        } catch let error as SheetError {
            try await upload.delete(on: request.db)
            return try await request.renderPage("teacher-import", FormPage(error: error.message, maxRows: TeacherImporter.Options().maxRows))
                .encodeResponse(status: .unprocessableEntity, for: request)
        }
    }

    @Sendable func errorWorkbook(request: Request) async throws -> Response {
        let upload = try await find(request)
        let outcome = try await run(upload, request: request, dryRun: true, skipInvalid: false)
        let path = NSTemporaryDirectory() + "peixun-errors-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard try outcome.writeErrorWorkbook(to: path) else { throw AppError.notFound("错误行") }
        let response = Response(status: .ok, body: .init(data: try Data(contentsOf: URL(fileURLWithPath: path))))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        let name = (upload.fileName as NSString).deletingPathExtension + "-错误行.xlsx"
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"errors.xlsx\"; filename*=UTF-8''\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "errors.xlsx")")
        return response
    }

    struct CommitForm: Content { let mode: String }

    @Sendable func commit(request: Request) async throws -> View {
        let upload = try await find(request)
        let mode = try request.content.decode(CommitForm.self).mode
        let outcome = try await run(upload, request: request, dryRun: false, skipInvalid: mode == "valid")
        if outcome.report.committed { try await upload.delete(on: request.db) }
        return try await request.renderPage("teacher-import-preview", PreviewPage(upload: upload, outcome: outcome))
    }

    /// `POST /api/v1/teachers/import?dryRun=true&createSchools=false&skipInvalid=false` with the
    /// file as the body and its name in `X-File-Name`: the import report as JSON.
    @Sendable func api(request: Request) async throws -> TeacherImportReport {
        let user = try requireImporter(request)
        struct Query: Decodable { let dryRun: Bool?; let createSchools: Bool?; let skipInvalid: Bool? }
        let query = try request.query.decode(Query.self)
        guard let body = request.body.data, body.readableBytes > 0 else {
            throw AppError.badRequest(code: "file.empty", "请求体为空：请把 .xlsx 或 .csv 文件内容作为请求体上传")
        }
        let upload = ImportUploadModel()
        upload.userID = user.id
        upload.fileName = Self.safeName(request.headers.first(name: "X-File-Name")?.removingPercentEncoding ?? "upload")
        upload.content = Data(buffer: body)
        upload.createSchools = query.createSchools ?? false
        do {
            return try await run(upload, request: request, dryRun: query.dryRun ?? true, skipInvalid: query.skipInvalid ?? false).report
        } catch let error as SheetError {
            throw AppError(.unprocessableEntity, code: error.code.rawValue, error.message)
        }
    }

    private func run(_ upload: ImportUploadModel, request: Request, dryRun: Bool, skipInvalid: Bool) async throws -> TeacherImporter.Outcome {
        let user = try requireImporter(request)
        let path = NSTemporaryDirectory() + "peixun-upload-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try upload.content.write(to: URL(fileURLWithPath: path))
        var options = TeacherImporter.Options()
        options.dryRun = dryRun
        options.skipInvalid = skipInvalid
        options.createSchools = upload.createSchools
        let importer = TeacherImporter(database: request.db, regions: request.application.regions, scope: user.scope, actor: .init(request))
        return try await importer.run(url: URL(fileURLWithPath: path), fileName: upload.fileName, options: options)
    }

    /// Uploads belong to the user who made them; anyone else gets 404.
    private func find(_ request: Request) async throws -> ImportUploadModel {
        let user = try requireImporter(request)
        guard let id = request.parameters.get("uploadID", as: Int.self),
              let upload = try await ImportUploadModel.query(on: request.db).filter(\.$id == id).filter(\.$userID == user.id).first()
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
    let uploadID: Int
    let fileName: String
    let report: TeacherImportReport
    let refusedRows: Int
    let shownErrors: [RowIssue]
    let moreErrors: Int
    let mayCommitAll: Bool
    let mayCommitValid: Bool
    let hasErrors: Bool
    let hasIgnoredColumns: Bool
    let hasNewSchools: Bool
    let noteCount: Int

    init(upload: ImportUploadModel, outcome: TeacherImporter.Outcome) {
        uploadID = upload.id ?? 0
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
