import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

extension ReissueDesk {
    /// 情况说明: typed, a scan of the stamped paper attached, or both; by a linked institution,
    /// or by the county when no institution runs any of the teacher's projects. Each part given
    /// replaces only itself, and only until the county has checked the request.
    func statement(_ id: Int, text raw: String?, file: StatementFile? = nil) async throws -> ReissueRequestModel {
        let text = TextCleaning.clean(raw ?? "")
        return try await step(id, from: [.statement, .check], to: .check, verb: "出具情况说明", action: .update,
                              summary: "出具补发申请 #\(id) 的情况说明") { request, db in
            let status = try await mayState(request, on: db)
            guard !text.isEmpty || file != nil else {
                throw InputRefusal(field: "情况说明", code: "reissue.statement",
                                   "请填写情况说明（5–1000 个字），或上传加盖公章的情况说明扫描件（PDF、JPG 或 PNG，不超过 10 MB）")
            }
            guard text.isEmpty || (5...1000).contains(text.count) else {
                throw InputRefusal(field: "情况说明", code: "reissue.statement", "请填写情况说明（5–1000 个字）")
            }
            var effect = StepEffect()
            var said: [String] = []
            if !text.isEmpty {
                effect.changes["statement"] = .init(before: request.statement, after: text)
                request.statement = text
                said.append(String(text.prefix(60)))
            }
            if let file {
                let before = try await ReissueStatementFileModel.described(for: [id], on: db)[id]
                try await ReissueStatementFileModel.query(on: db).filter(\.$id == id).delete()
                let row = ReissueStatementFileModel()
                row.id = id
                row.fileName = file.fileName
                row.fileType = file.type.rawValue
                row.size = file.content.count
                row.sha256 = file.sha256
                row.content = file.content
                row.uploadedBy = actor.username
                row.uploadedAt = actor.clock.now()
                try await row.create(on: db)
                let after = "\(file.fileName)（\(file.type.label)，\(StatementFileDTO.sizeLabel(file.content.count))，SHA-256 \(file.sha256.prefix(16))）"
                effect.changes["statement_file"] = .init(before: before.map { "\($0.fileName)（\($0.typeLabel)，\($0.sizeLabel)）" }, after: after)
                said.append("扫描件 \(after)")
            }
            let verb = status == .check ? "更换" : "出具"
            effect.summary = "\(verb)补发申请 #\(id) 的情况说明：\(said.joined(separator: "；"))"
            request.statementBy = user.role == .institution ? "\(user.displayName)（培训机构）" : "\(user.displayName)（县级代录）"
            request.statementAt = actor.clock.now()
            return effect
        }
    }

    /// Whether the user may write (or replace) the statement of `request` now: its status, or
    /// why not. Asked again inside the step's transaction.
    @discardableResult
    func mayState(_ request: ReissueRequestModel, on db: any Database) async throws -> ReissueStatus {
        let linked = try await isLinked(teacher: request.teacherID, on: db)
        switch user.role {
        case .institution: break
        case .county where !linked: break
        case .county: throw AppError(.forbidden, code: "reissue.institution_statement", "该教师的培训机构已开通账户，情况说明由培训机构出具")
        default: throw AppError(.forbidden, code: "reissue.statement_forbidden", "情况说明由培训机构（或未开通账户时由县级）出具")
        }
        let status = try request.status()
        guard [.statement, .check].contains(status) else {
            throw AppError(.conflict, code: "reissue.statement_locked", "该申请当前为“\(status.label)”：县级审核后，情况说明不能再填写或更换")
        }
        return status
    }

    /// Before a statement's body is read: the request exists for this user, and the user may
    /// write its statement now. An upload for a request one cannot see or change is refused
    /// before a byte of it reaches the disk.
    func checkStatement(_ id: Int) async throws {
        try await mayState(try await find(id, on: database), on: database)
    }

    /// The scan of a request the user may see, for download; otherwise not found. Every
    /// download is in the audit log: the scan carries a teacher's identity and a stamp.
    func statementFile(_ id: Int) async throws -> ReissueStatementFileModel {
        let request = try await find(id, on: database)
        guard let file = try await ReissueStatementFileModel.find(id, on: database) else { throw AppError.notFound("情况说明扫描件") }
        let type = try StatementFileType.read(file.fileType, table: ReissueStatementFileModel.schema, row: id, column: "file_type")
        try await AuditLog.record(on: database, actor: actor, action: .export, objectType: "reissue_request", objectID: String(id),
                                  countyCode: request.countyCode, cityCode: request.cityCode,
                                  summary: "下载补发申请 #\(id) 的情况说明扫描件 \(file.fileName)（\(type.label)，\(file.size) 字节）")
        return file
    }
}
