import Foundation
import Vapor

/// 情况说明 with or without a scan. The routes stream their bodies like the imports' uploads:
/// - a form (`multipart/form-data`: `text`, `file`, the CSRF token), the desk's;
/// - JSON or a plain form `{"text"}`: the typed statement only;
/// - anything else: the body is the scan itself, its name in `X-File-Name` (as the imports' API).
/// Whether the request exists for this user and its statement may be written now is settled
/// before the body is read: nobody learns of another's request, and a refused upload never
/// reaches the disk. The scan goes to a private file as it arrives, stopping at the limit, and
/// is checked by its bytes before anything is kept.
extension ReissueController {
    static let textBodyLimit = 64 * 1024

    func statement(request: Request, api: Bool) async throws -> Response {
        let desk = try ReissueDesk(request: request)
        guard let id = request.parameters.get(.requestID, as: Int.self) else { throw AppError.notFound("补发申请") }
        let uploads = request.application.uploads
        let limit = StatementFileType.maximumBytes
        try await desk.checkStatement(id)
        let model: ReissueRequestModel
        switch request.headers.contentType {
        case .some(let type) where type.type == "multipart":
            // The form's CSRF token is read with the form (and checked before anything is kept).
            let received = try await StatementFile.receive { try await uploads.receiveForm(of: request, limit: limit, fileRequired: false) }
            defer { received.remove() }
            let file = received.fileName.isEmpty && received.size == 0 ? nil : try StatementFile(received)
            model = try await desk.statement(id, text: received.fields["text"], file: file)
        case .some(let type) where type == .json || type == .urlEncodedForm:
            if request.body.data == nil { _ = try await request.body.collect(max: Self.textBodyLimit).get() }
            model = try await desk.statement(id, text: try request.content.decode(StepForm.self).text)
        default:
            let name = request.headers.first(name: "X-File-Name")?.removingPercentEncoding ?? "情况说明"
            let received = try await StatementFile.receive { try await uploads.receiveBody(of: request, limit: limit, fileName: name) }
            defer { received.remove() }
            model = try await desk.statement(id, text: nil, file: try StatementFile(received))
        }
        let attached = try await ReissueStatementFileModel.described(for: [id], on: request.db)[id]
        let notice = "补发申请 #\(id)：已保存情况说明" + (attached.map { "（扫描件 \($0.fileName)，\($0.sizeLabel)）" } ?? "") + "，\(try model.status().label)"
        return try await answer(desk, model, notice: notice, request: request, api: api)
    }
}
