import Foundation

/// Runs a program to its end without blocking a thread: its output and errors go to private
/// temporary files (not pipes, which a long output would fill before anybody reads them).
enum ChildProcess {
    struct Result: Sendable {
        let status: Int32
        let output: String
        let errors: String
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String]) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("peixun-child-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out"), errors = folder.appendingPathComponent("err")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Result(status: status, output: (try? String(contentsOf: output, encoding: .utf8)) ?? "",
                      errors: (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }
}
