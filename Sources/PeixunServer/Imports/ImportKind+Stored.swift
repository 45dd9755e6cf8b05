import Foundation
import PeixunSheets

extension ImportKind {
    /// Runs the import on a parked upload (its content is in `import_uploads`, so that the
    /// commit may reach any instance, or a background job): written out to a private file of
    /// the upload folder again, read from there, removed.
    func runStored(_ upload: ImportUploadModel, context: ImportContext, dryRun: Bool, skipInvalid: Bool,
                   progress: ReadProgress?) async throws -> ImportOutcome {
        let (url, handle) = try context.application.uploads.makeFile()
        defer { try? FileManager.default.removeItem(at: url) }
        try handle.write(contentsOf: upload.content)
        try handle.close()
        return try await runMeasured(upload, url, context, dryRun, skipInvalid, progress)
    }

    static func named(_ name: String) -> ImportKind? {
        all.first { $0.kind == name }
    }
}
