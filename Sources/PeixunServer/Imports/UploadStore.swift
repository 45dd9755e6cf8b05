import Foundation
import MultipartKit
import Vapor

/// An uploaded file on its way in: streamed from the request into a private temporary file
/// (mode 0600, in a folder only this user can open), never held in memory. Whoever receives
/// one removes it on every path (`remove()` in a `defer`); a crash leaves it behind only until
/// the next start, which sweeps the folder.
struct ReceivedUpload: Sendable {
    let url: URL
    let fileName: String
    let size: Int
    /// The small fields of a form sent with the file (options, the CSRF token).
    let fields: [String: String]

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// The folder uploads pass through: `uploads/` in the data directory, on the database's disk.
struct UploadStore: Sendable {
    let directory: URL
    /// A form's other fields are a few short values; anything more is not one of our forms.
    static let maximumFields = 32
    static let maximumFieldBytes = 4_096

    /// This machine, in a file name: the folder may be shared by instances on several hosts,
    /// and a process number says something only on its own host.
    static let hostTag = String(ProcessInfo.processInfo.hostName.unicodeScalars
        .filter { CharacterSet.alphanumerics.contains($0) && $0.isASCII }.prefix(24).map(Character.init))

    /// A new empty file only this process's user may read, named after the process and host so
    /// that a sweep can tell whose it is.
    func makeFile() throws -> (URL, FileHandle) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let url = directory.appendingPathComponent("upload-\(getpid())-h\(Self.hostTag)-\(UUID().uuidString)")
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw AppError(.internalServerError, code: "upload.storage", "服务器暂时无法保存上传的文件，请稍后再试") }
        return (url, FileHandle(fileDescriptor: descriptor, closeOnDealloc: true))
    }

    /// Removes what earlier processes left: files of a process of this host that no longer
    /// runs, and any file older than a day (another host's files only so: their processes
    /// cannot be asked); job files (`jobs/`) after a day. Called at start.
    func sweep(now: Date) {
        func modified(_ path: String) -> Date {
            (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? .distantPast
        }
        let jobs = directory.appendingPathComponent("jobs").path
        for name in (try? FileManager.default.contentsOfDirectory(atPath: jobs)) ?? [] {
            let path = jobs + "/" + name
            if now.timeIntervalSince(modified(path)) > 86_400 { try? FileManager.default.removeItem(atPath: path) }
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names where name.hasPrefix("upload-") {
            let path = directory.appendingPathComponent(name).path
            let parts = name.split(separator: "-")
            // Names before the host tag (`upload-pid-uuid`) were all this host's.
            let ours = parts.count > 2 && (!parts[2].hasPrefix("h") || parts[2] == "h" + Self.hostTag)
            let owner = ours ? Int32(parts[1]) : nil
            let dead = owner.map { !($0 == getpid() || kill($0, 0) == 0 || errno == EPERM) } ?? false
            if dead || now.timeIntervalSince(modified(path)) > 86_400 { try? FileManager.default.removeItem(atPath: path) }
        }
    }

    static func tooLarge(_ limit: Int) -> AppError {
        AppError(.payloadTooLarge, code: "upload.too_large", "文件超过 \(limit / 1_048_576) MB 的上限，请分成几个文件上传")
    }

    /// The request body as it is (the API's uploads), streamed to a file.
    func receiveBody(of request: Request, limit: Int, fileName: String) async throws -> ReceivedUpload {
        // A raw body has no form field for a token: from a browser session it needs the header.
        try CSRFMiddleware.verifyDeferred(request, presented: nil)
        let (url, handle) = try makeFile()
        var size = 0
        do {
            for try await buffer in request.body {
                size += buffer.readableBytes
                guard size <= limit else { throw Self.tooLarge(limit) }
                try handle.write(contentsOf: buffer.readableBytesView)
            }
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: url)
            throw error
        }
        guard size > 0 else {
            try? FileManager.default.removeItem(at: url)
            throw AppError.badRequest(code: "file.empty", "请求体为空：请把 .xlsx、.xls 或 .csv 文件内容作为请求体上传")
        }
        return ReceivedUpload(url: url, fileName: fileName, size: size, fields: [:])
    }

    /// A `multipart/form-data` upload form: the one file part streamed to a file, the other
    /// fields kept (bounded). A form's CSRF token is among its fields, so it is checked here,
    /// before the caller sees anything (see `CSRFMiddleware`). A form whose file is optional
    /// (`fileRequired: false`) without one gives an empty upload named "".
    func receiveForm(of request: Request, limit: Int, fileField: String = "file", fileRequired: Bool = true) async throws -> ReceivedUpload {
        guard let boundary = request.headers.contentType?.parameters["boundary"], !boundary.isEmpty, boundary.utf8.count <= 200 else {
            throw AppError.badRequest(code: "upload.form", "上传表单格式不正确，请在页面上重新选择文件上传")
        }
        let (url, handle) = try makeFile()
        let collector = MultipartCollector(boundary: boundary, fileField: fileField, handle: handle, limit: limit)
        do {
            for try await buffer in request.body {
                try collector.feed(buffer)
            }
            try handle.close()
            guard let fileName = collector.fileName ?? (fileRequired ? nil : "") else {
                throw AppError.badRequest(code: "file.missing", "请选择要上传的文件")
            }
            try CSRFMiddleware.verifyDeferred(request, presented: collector.fields[CSRFMiddleware.fieldName])
            return ReceivedUpload(url: url, fileName: fileName, size: collector.fileSize, fields: collector.fields)
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: url)
            throw error
        }
    }
}

/// Feeds MultipartKit's streaming parser and sorts what it finds: the file part goes to disk
/// as it arrives, the other parts into a small dictionary.
private final class MultipartCollector {
    private let parser: MultipartParser
    private let fileField: String
    private let handle: FileHandle
    private let limit: Int
    private var headers = HTTPHeaders()
    private var value: [UInt8] = []
    private var failure: (any Error)?
    private(set) var fields: [String: String] = [:]
    private(set) var fileName: String?
    private(set) var fileSize = 0
    private var inFile = false

    init(boundary: String, fileField: String, handle: FileHandle, limit: Int) {
        parser = MultipartParser(boundary: boundary)
        self.fileField = fileField
        self.handle = handle
        self.limit = limit
        parser.onHeader = { [unowned self] name, value in
            guard headers.count < 16, name.utf8.count + value.utf8.count < 2_048 else {
                failure = failure ?? AppError.badRequest(code: "upload.form", "上传表单格式不正确，请在页面上重新选择文件上传")
                return
            }
            headers.add(name: name, value: value)
        }
        parser.onBody = { [unowned self] buffer in body(&buffer) }
        parser.onPartComplete = { [unowned self] in partComplete() }
    }

    func feed(_ buffer: ByteBuffer) throws {
        do {
            try parser.execute(buffer)
        } catch let error as AppError {
            throw error
        } catch {
            throw AppError.badRequest(code: "upload.form", "上传表单格式不正确，请在页面上重新选择文件上传")
        }
        if let failure { throw failure }
    }

    private func body(_ buffer: inout ByteBuffer) {
        guard failure == nil else { return }
        let disposition = headers.contentDisposition
        if disposition?.name == fileField, disposition?.filename != nil {
            inFile = true
            fileSize += buffer.readableBytes
            guard fileSize <= limit else {
                failure = UploadStore.tooLarge(limit)
                return
            }
            do { try handle.write(contentsOf: buffer.readableBytesView) } catch { failure = error }
        } else {
            value.append(contentsOf: buffer.readableBytesView)
            if value.count > UploadStore.maximumFieldBytes {
                failure = AppError.badRequest(code: "upload.form", "上传表单中的字段过长")
            }
        }
    }

    private func partComplete() {
        defer {
            headers = HTTPHeaders()
            value = []
            inFile = false
        }
        guard failure == nil, let disposition = headers.contentDisposition, let name = disposition.name else { return }
        if name == fileField, let name = disposition.filename {
            guard fileName == nil else {
                failure = AppError.badRequest(code: "upload.form", "一次只能上传一个文件")
                return
            }
            fileName = name.isEmpty && fileSize == 0 ? nil : name
        } else {
            guard fields.count < UploadStore.maximumFields else {
                failure = AppError.badRequest(code: "upload.form", "上传表单格式不正确，请在页面上重新选择文件上传")
                return
            }
            fields[name] = String(decoding: value, as: UTF8.self)
        }
    }
}

extension Application {
    var uploads: UploadStore {
        UploadStore(directory: config.uploadDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("uploads", isDirectory: true))
    }
}
