import Crypto
import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

/// The scan of a stamped 情况说明 (the notice: 逐级加盖公章) attached to a reissue request:
/// one per request, replaced while the county has not checked the request. Kept in the
/// database, like an import's upload, so that every app instance serves it.
final class ReissueStatementFileModel: Model, @unchecked Sendable {
    static let schema = "reissue_statement_files"

    @ID(custom: "request_id", generatedBy: .user) var id: Int?
    @Field(key: "file_name") var fileName: String
    /// Read through `StatementFileType(rawValue:)`; decided by the file's first bytes.
    @Field(key: "file_type") var fileType: String
    @Field(key: "size") var size: Int
    @Field(key: "sha256") var sha256: String
    @Field(key: "content") var content: Data
    @Field(key: "uploaded_by") var uploadedBy: String
    @Field(key: "uploaded_at") var uploadedAt: Date

    init() {}
}

struct CreateReissueStatementFiles: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let types = StatementFileType.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        try await database.schema(ReissueStatementFileModel.schema)
            .field("request_id", .int, .identifier(auto: false), .references(ReissueRequestModel.schema, .id, onDelete: .cascade))
            .field("file_name", .string, .required)
            .field("file_type", .string, .required, .sql(raw: "CHECK (file_type IN (\(types)))"))
            .field("size", .int, .required)
            .field("sha256", .string, .required)
            .field("content", .data, .required)
            .field("uploaded_by", .string, .required)
            .field("uploaded_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ReissueStatementFileModel.schema).delete()
    }
}

/// What a statement scan may be. The type is read from the file's first bytes, never from its
/// name or the Content-Type a client claims, and the download is served as that type only.
enum StatementFileType: String, CaseIterable, Sendable {
    case pdf, jpeg, png

    static let maximumBytes = 10 * 1_048_576

    /// The type the first bytes announce; nil for anything else (an .exe renamed .pdf).
    init?(magic bytes: some Collection<UInt8>) {
        let head = Array(bytes.prefix(8))
        if head.starts(with: Array("%PDF-".utf8)) {
            self = .pdf
        } else if head.starts(with: [0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else {
            return nil
        }
    }

    var mediaType: HTTPMediaType {
        switch self {
        case .pdf: HTTPMediaType(type: "application", subType: "pdf")
        case .jpeg: .jpeg
        case .png: .png
        }
    }

    var fileExtension: String {
        switch self {
        case .pdf: "pdf"
        case .jpeg: "jpg"
        case .png: "png"
        }
    }

    var label: String {
        switch self {
        case .pdf: "PDF"
        case .jpeg: "JPG 图片"
        case .png: "PNG 图片"
        }
    }
}

/// A statement scan checked and read into memory (at most `StatementFileType.maximumBytes`).
struct StatementFile: Sendable {
    let fileName: String
    let type: StatementFileType
    let content: Data
    let sha256: String

    /// Checks a received upload: not empty, within the limit, a PDF, JPEG or PNG by its bytes.
    init(_ upload: ReceivedUpload) throws {
        guard upload.size > 0 else { throw Self.empty }
        guard upload.size <= StatementFileType.maximumBytes else { throw Self.tooLarge }
        let handle = try FileHandle(forReadingFrom: upload.url)
        defer { try? handle.close() }
        guard let type = StatementFileType(magic: try handle.read(upToCount: 8) ?? Data()) else {
            throw AppError(.unprocessableEntity, code: "statement_file.type",
                           "情况说明扫描件只能是 PDF、JPG 或 PNG 文件（按文件内容判断，不看扩展名）；“\(ImportController.safeName(upload.fileName))”不是这几种格式，请扫描或另存为 PDF 后重新上传")
        }
        self.type = type
        content = try Data(contentsOf: upload.url)
        sha256 = SHA256.hash(data: content).map { String(format: "%02x", $0) }.joined()
        // The stored name keeps what people call the file, with the extension its bytes earn.
        let base = (ImportController.safeName(upload.fileName) as NSString).deletingPathExtension
        fileName = String((base.isEmpty || base == "upload" ? "情况说明" : base).prefix(100)) + "." + type.fileExtension
    }

    static let empty = AppError(.unprocessableEntity, code: "statement_file.empty", "上传的情况说明文件是空的（0 字节），请重新扫描后上传")
    static let tooLarge = AppError(.payloadTooLarge, code: "statement_file.too_large",
                                   "情况说明扫描件超过 \(StatementFileType.maximumBytes / 1_048_576) MB 的上限，请降低扫描分辨率（如 150 dpi）或压缩后重新上传")

    /// The upload's own refusals (too large, empty body) said about a statement scan.
    static func receive(_ receive: () async throws -> ReceivedUpload) async throws -> ReceivedUpload {
        do {
            return try await receive()
        } catch let error as AppError where error.code == "upload.too_large" {
            throw tooLarge
        } catch let error as AppError where error.code == "file.empty" {
            throw empty
        }
    }
}

/// What a desk shows of an attached scan.
struct StatementFileDTO: Content {
    let fileName: String
    let type: String
    let typeLabel: String
    let size: Int
    let sizeLabel: String
    let uploadedBy: String
    let uploadedOn: String
    let url: String

    static func sizeLabel(_ bytes: Int) -> String {
        bytes < 1_048_576 ? "\(max(1, (bytes + 1023) / 1024)) KB" : String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }
}

extension ReissueStatementFileModel {
    /// The scans' descriptions for `requests`, read without their content.
    static func described(for requests: [Int], on db: any Database) async throws -> [Int: StatementFileDTO] {
        guard !requests.isEmpty else { return [:] }
        struct Row: Decodable {
            let request_id: Int
            let file_name: String
            let file_type: String
            let size: Int
            let uploaded_by: String
            let uploaded_at: Date
        }
        let rows = try await (db as! any SQLDatabase).select()
            .columns("request_id", "file_name", "file_type", "size", "uploaded_by", "uploaded_at").from(schema)
            .where("request_id", .in, requests).all(decoding: Row.self)
        var found: [Int: StatementFileDTO] = [:]
        for row in rows {
            let type = try StatementFileType.read(row.file_type, table: schema, row: row.request_id, column: "file_type")
            found[row.request_id] = StatementFileDTO(
                fileName: row.file_name, type: type.rawValue, typeLabel: type.label, size: row.size, sizeLabel: StatementFileDTO.sizeLabel(row.size),
                uploadedBy: row.uploaded_by, uploadedOn: CivilDate.today(now: row.uploaded_at).description,
                url: SiteURL.reissue(.statementFile(.value(row.request_id))).path)
        }
        return found
    }

    /// The scan as a download: its own type (never what the uploader claimed), as an attachment.
    func response() throws -> Response {
        let type = try StatementFileType.read(fileType, table: Self.schema, row: id, column: "file_type")
        let response = Response(status: .ok, body: .init(data: content))
        response.headers.contentType = type.mediaType
        let encoded = fileName.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "statement.\(type.fileExtension)"
        response.headers.replaceOrAdd(name: .contentDisposition,
                                      value: "attachment; filename=\"statement-\(id ?? 0).\(type.fileExtension)\"; filename*=UTF-8''\(encoded)")
        return response
    }
}
