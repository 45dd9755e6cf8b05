import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import SQLKit
import Vapor

/// 机构上报合格名单: a training institution uploads the qualified list of one of its projects
/// through the qualified-list import (same checks, same error workbook); the checked list waits
/// here until the province publishes it to the counties — the stored file is imported then,
/// exactly as a province upload — or sends it back with a reason. Everything is narrowed by
/// `ProjectScope`: an institution sees only the lists of its own projects.
struct ProposedLists {
    let database: any Database
    let regions: RegionDirectory
    /// The province (`.all`) decides; an institution proposes for its own projects.
    let scope: ProjectScope
    let actor: AuditLog.Actor

    var sql: any SQLDatabase { database as! any SQLDatabase }
    var isProvince: Bool { scope == .all }

    init(database: any Database, regions: RegionDirectory, scope: ProjectScope, actor: AuditLog.Actor) {
        self.database = database
        self.regions = regions
        self.scope = scope
        self.actor = actor
    }

    init(request: Request) throws {
        self.init(database: request.db, regions: request.application.regions, scope: ProjectScope(try request.requireUser()), actor: .init(request))
    }

    static func refusal(projectID: Int) -> AppError {
        AppError(.notFound, code: "project.not_own", "只能上报本机构承担的合作项目的合格名单：编号为 \(projectID) 的项目不是本机构的项目（如有疑问请联系省执行办）")
    }

    /// The importer's options for an institution's upload: refused unless the project is its
    /// own; on commit the checked rows become a proposed list instead of reaching the counties.
    func importOptions(projectID: Int, year: Int, fileURL: URL, fileName: String, dryRun: Bool, skipInvalid: Bool,
                       progress: ReadProgress?) async throws -> QualifiedListImporter.Options {
        guard case .institution(let userID) = scope, try await scope.contains(projectID: projectID, on: sql) else {
            throw Self.refusal(projectID: projectID)
        }
        var options = QualifiedListImporter.Options(dryRun: dryRun, skipInvalid: skipInvalid, projectID: projectID, year: year, progress: progress)
        let content = try Data(contentsOf: fileURL)
        let actor = actor
        options.propose = { entries, report, project, db in
            try await Self.store(entries, report: report, project: project, year: year, fileName: fileName, content: content,
                                 userID: userID, actor: actor, on: db)
        }
        return options
    }

    /// Keeps the checked list as the project's proposal for the year; one the province has not
    /// yet decided is replaced (and says so), so that the province reviews only the latest.
    private static func store(_ entries: [QualifiedListImporter.Entry], report: ImportReport, project: ProjectModel, year: Int,
                              fileName: String, content: Data, userID: Int, actor: AuditLog.Actor, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let replaced = try await ProposedListModel.query(on: db).filter(\.$projectID == project.id!).filter(\.$year == year)
            .filter(\.$status == ProposedListModel.Status.proposed.rawValue).all()
        for old in replaced {
            old.status = ProposedListModel.Status.returned.rawValue
            old.returnedReason = "培训机构已重新上报，本名单被替换"
            old.decidedBy = actor.username
            old.decidedAt = actor.clock.now()
            try await old.update(on: db)
        }
        let model = ProposedListModel()
        model.projectID = project.id!
        model.year = year
        model.userID = userID
        model.fileName = fileName
        model.sha256 = report.sha256
        model.content = content
        model.status = ProposedListModel.Status.proposed.rawValue
        model.rows = report.rows
        model.valid = report.valid
        model.refusedRows = Set(report.errors.map(\.row)).count
        model.errors = String(decoding: try JSONEncoder().encode(Array(report.errors.prefix(1000))), as: UTF8.self)
        model.createdAt = actor.clock.now()
        try await model.create(on: db)
        let id = model.id!
        for chunk in entries.chunked(into: 500) {
            var insert = sql.insert(into: ProposedListRowModel.schema)
                .columns("proposal_id", "line", "county_code", "listed_county", "school", "name", "resident_id", "phone")
            for entry in chunk {
                insert = insert.values(SQLBind(id), SQLBind(entry.row), SQLBind(entry.county?.code), SQLBind(entry.countyText),
                                       SQLBind(entry.school), SQLBind(entry.name), SQLBind(entry.residentID.value), SQLBind(entry.phone))
            }
            try await insert.run()
        }
        try await AuditLog.record(
            on: db, actor: actor, action: .submit, objectType: "proposed_list", objectID: String(id),
            changes: ["project": .init(before: nil, after: project.name), "year": .init(before: nil, after: String(year)),
                      "file": .init(before: nil, after: fileName), "sha256": .init(before: nil, after: report.sha256),
                      "valid": .init(before: nil, after: String(report.valid)), "refused": .init(before: nil, after: String(model.refusedRows)),
                      "replaced": .init(before: nil, after: replaced.isEmpty ? nil : replaced.compactMap(\.id).map(String.init).joined(separator: ","))],
            summary: "上报“\(project.name)”\(year)年合格人员名单“\(fileName)”：正确 \(report.valid) 行，出错 \(model.refusedRows) 行，待省级审核")
    }

    /// A proposal in scope, or 404.
    func find(_ id: Int) async throws -> ProposedListModel {
        struct Row: Decodable { let id: Int }
        guard scope != .none,
              try await sql.raw("SELECT l.id FROM proposed_lists l WHERE l.id = \(bind: id) AND \(scope.predicate(projectColumn: "l.project_id"))")
                .first(decoding: Row.self) != nil,
              let model = try await ProposedListModel.find(id, on: database)
        else { throw AppError.notFound("上报的名单") }
        return model
    }

    /// The stored file imported as a dry run: the errors and the error workbook, as at upload.
    func dryRun(_ model: ProposedListModel, uploads: UploadStore) async throws -> ImportOutcome {
        try await withFile(model, uploads: uploads) { url in
            try await QualifiedListImporter(database: database, regions: regions, actor: actor)
                .run(url: url, fileName: model.fileName, options: .init(dryRun: true, projectID: model.projectID, year: model.year))
        }
    }

    private func withFile<T>(_ model: ProposedListModel, uploads: UploadStore, _ body: (URL) async throws -> T) async throws -> T {
        let (url, handle) = try uploads.makeFile()
        defer { try? FileManager.default.removeItem(at: url) }
        try handle.write(contentsOf: model.content)
        try handle.close()
        return try await body(url)
    }

    /// Publishes a waiting list to the counties: its valid rows are imported into the
    /// project's batch for the year by the province, in one transaction with the decision.
    func publish(_ id: Int, uploads: UploadStore) async throws -> ProposedListModel {
        guard isProvince else { throw AppError.notFound("上报的名单") }
        let model = try await find(id)
        guard try model.statusValue() == .proposed else {
            throw AppError(.conflict, code: "proposal.decided", "这份名单\(try model.statusValue().label)，不能再发布")
        }
        let project = try await ProjectModel.find(model.projectID, on: database)
        _ = try await withFile(model, uploads: uploads) { url in
            try await database.transaction { db in
                try await claim(id, as: .published, reason: nil, on: db)
                let outcome = try await QualifiedListImporter(database: db, regions: regions, actor: actor)
                    .run(url: url, fileName: model.fileName, options: .init(dryRun: false, skipInvalid: true, projectID: model.projectID, year: model.year))
                let batch = try await IntegrationBatchModel.query(on: db).filter(\.$projectID == model.projectID).filter(\.$year == model.year).first()
                try await (db as! any SQLDatabase).update(ProposedListModel.schema).set("batch_id", to: SQLBind(batch?.id))
                    .where("id", .equal, id).run()
                try await AuditLog.record(
                    on: db, actor: actor, action: .approve, objectType: "proposed_list", objectID: String(id),
                    changes: ["status": .init(before: ProposedListModel.Status.proposed.rawValue, after: ProposedListModel.Status.published.rawValue),
                              "batch": .init(before: nil, after: batch?.id.map(String.init)), "created": .init(before: nil, after: String(outcome.report.created))],
                    summary: "发布培训机构上报的“\(project?.name ?? "")”\(model.year)年合格人员名单到各县：新增 \(outcome.report.created) 人，已在名单上 \(outcome.report.unchanged) 人")
                return outcome.report
            }
        }
        return try await find(id)
    }

    /// Sends a waiting list back to its institution with the reason.
    func sendBack(_ id: Int, reason raw: String?) async throws -> ProposedListModel {
        guard isProvince else { throw AppError.notFound("上报的名单") }
        let model = try await find(id)
        let reason = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard (2...200).contains(reason.count) else {
            throw AppError(.unprocessableEntity, code: "proposal.reason", "请填写退回原因（2–200 个字），培训机构将看到它")
        }
        guard try model.statusValue() == .proposed else {
            throw AppError(.conflict, code: "proposal.decided", "这份名单\(try model.statusValue().label)，不能再退回")
        }
        try await database.transaction { db in
            try await claim(id, as: .returned, reason: reason, on: db)
            try await AuditLog.record(
                on: db, actor: actor, action: .reject, objectType: "proposed_list", objectID: String(id),
                changes: ["status": .init(before: ProposedListModel.Status.proposed.rawValue, after: ProposedListModel.Status.returned.rawValue),
                          "reason": .init(before: nil, after: reason)],
                summary: "退回培训机构上报的合格人员名单 #\(id)：\(reason)")
        }
        return try await find(id)
    }

    /// Moves a waiting list to its decision; of two deciders at once only the first gets it.
    private func claim(_ id: Int, as status: ProposedListModel.Status, reason: String?, on db: any Database) async throws {
        struct Row: Decodable { let id: Int }
        let claimed = try await (db as! any SQLDatabase).raw("""
            UPDATE proposed_lists SET status = \(bind: status.rawValue), returned_reason = \(bind: reason),
                decided_by = \(bind: actor.username), decided_at = \(bind: actor.clock.now())
            WHERE id = \(bind: id) AND status = \(bind: ProposedListModel.Status.proposed.rawValue) RETURNING id
            """).all(decoding: Row.self)
        guard !claimed.isEmpty else { throw AppError(.conflict, code: "proposal.decided", "这份名单已由他人处理，请刷新页面") }
    }
}
