import Foundation
import Testing
@testable import PeixunSheets

/// The cells of a workbook in the shape `peixun inspect --cells --json` prints; calamine's
/// copy also says what type each cell had (`types`, the same shape as `rows`).
struct CellsDocument: Decodable {
    struct Sheet: Decodable {
        let name: String
        let rows: [[String]]
        let types: [[String]]?
    }

    let sheets: [Sheet]
}

/// python-calamine (the Rust calamine reader), run through scripts/calamine-cells.py.
enum Calamine {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../scripts/calamine-cells.py").standardized

    /// `PEIXUN_PYTHON`, else the environment scripts/install-deps.sh test makes, else python3.
    static var python: (executable: URL, arguments: [String]) {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["PEIXUN_PYTHON"], !path.isEmpty { return (URL(fileURLWithPath: path), []) }
        let cache = environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: NSHomeDirectory()).appendingPathComponent(".cache")
        let venv = cache.appendingPathComponent("peixun/python/bin/python3")
        if FileManager.default.isExecutableFile(atPath: venv.path) { return (venv, []) }
        return (URL(fileURLWithPath: "/usr/bin/env"), ["python3"])
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// What calamine reads from `url`; throws when calamine refuses the file, and records a
    /// failure (never a silent pass) when python-calamine is missing.
    static func read(_ url: URL) throws -> CellsDocument {
        let (executable, arguments) = python
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments + [script.path, url.path]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Both pipes are drained before waiting, so a large output cannot block the child.
        let errorData = ReadAllInBackground(errors.fileHandleForReading)
        let data = try output.fileHandleForReading.readToEnd() ?? Data()
        process.waitUntilExit()
        let message = String(decoding: errorData.wait(), as: UTF8.self)
        switch process.terminationStatus {
        case 0:
            return try JSONDecoder().decode(CellsDocument.self, from: data)
        case 3, 127:
            throw Failure(description: """
                python-calamine is missing, so the differential reading test cannot run: run \
                `scripts/install-deps.sh test` (it installs python-calamine into \
                ~/.cache/peixun/python) or set PEIXUN_PYTHON to a python3 that has it. \(message)
                """)
        default:
            throw Failure(description: "calamine refused \(url.lastPathComponent): \(message.split(separator: "\n").last ?? "")")
        }
    }
}

/// Reads a file handle to its end on another thread.
final class ReadAllInBackground: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread {
            self.data = (try? handle.readToEnd()) ?? Data()
            self.done.signal()
        }.start()
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
