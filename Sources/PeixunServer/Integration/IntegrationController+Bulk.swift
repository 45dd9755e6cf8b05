import Fluent
import Foundation
import PeixunCore
import Vapor

/// 批量核实 on the web (the worklist's form: ticked rows, or the whole page) and in the API
/// (`POST /api/v1/integration/{batch}/verify` with `{"ids": […]}`). The rules are
/// `BulkVerification`; the writing is `CountyVerification.verifyAll`.
extension IntegrationController {
    /// The worklist's form: `entries[]` are the ticked rows; with `whole=1` ("select this page")
    /// `shown[]`, the rows the page showed waiting, are verified instead. IDs arrive as text so
    /// that a mangled one is refused in Chinese.
    struct BulkVerifyForm: Decodable {
        var entries: [String]?
        var shown: [String]?
        var whole: String?
    }

    struct BulkVerifyRequest: Content {
        var ids: [Int]
    }

    static func entryIDs(_ texts: [String]) throws -> [Int] {
        guard texts.count <= BulkVerification.maximumEntries else {
            throw AppError(.unprocessableEntity, code: "bulk.too_many", BulkVerification.Refusal.tooMany(texts.count).message)
        }
        return try texts.map { text in
            guard let id = Int(text.trimmingCharacters(in: .whitespaces)), id > 0 else {
                throw AppError(.unprocessableEntity, code: "bulk.invalid_id", "勾选的人员编号无效：“\(text.prefix(20))”")
            }
            return id
        }
    }

    @Sendable func bulkVerifyForm(request: Request) async throws -> Response {
        let service = try service(request)
        let batch = try await batch(request)
        let form = try request.content.decode(BulkVerifyForm.self)
        let ids = try Self.entryIDs(form.whole == "1" ? form.shown ?? [] : form.entries ?? [])
        let result: CountyVerification.BulkResult
        do {
            result = try await service.verifyAll(batchID: batch.id!, ids: ids)
        } catch let refusal as InputRefusal {
            throw AppError(.unprocessableEntity, code: refusal.code, refusal.message)
        }
        var items = [URLQueryItem(name: "done", value: Done.bulk.rawValue)]
        if let record = result.recordID { items.append(URLQueryItem(name: "record", value: String(record))) }
        return redirectBack(request, batchID: batch.id!, adding: items, fragment: "notice")
    }

    @Sendable func apiBulkVerify(request: Request) async throws -> CountyVerification.BulkResult {
        let service = try service(request)
        let batch = try await batch(request)
        let body = try request.content.decode(BulkVerifyRequest.self)
        return try await service.verifyAll(batchID: batch.id!, ids: body.ids)
    }

    /// The message of a 批量核实 this user made on this batch: its audit entry's summary. An entry
    /// of somebody else, or about something else, says nothing.
    func bulkNotice(_ request: Request, batchID: Int) async throws -> String? {
        guard let id = try? request.query.get(Int.self, at: "record"), let user = request.currentUser,
              let record = try await AuditEntryModel.find(id, on: request.db),
              record.userID == user.id, record.action == AuditLog.Action.verify.rawValue,
              record.objectType == CountyVerification.bulkRecordType, record.objectID == String(batchID) else { return nil }
        return record.summary
    }
}
