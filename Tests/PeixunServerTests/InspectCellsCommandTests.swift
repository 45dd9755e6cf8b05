import Foundation
import Testing

/// `peixun inspect FILE --cells --json`, run as the built program (it writes to standard output).
@Suite struct InspectCellsCommandTests {
    struct Run {
        let status: Int32
        let output: String
        let errors: String
    }

    /// The `peixun` built beside the test runner, with a throw-away data directory.
    static func peixun(_ arguments: [String]) throws -> Run {
        let program = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("peixun")
        try #require(FileManager.default.isExecutableFile(atPath: program.path), "build the peixun product first (swift build --build-tests)")
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = nil
        environment["PEIXUN_DATA_DIR"] = NSTemporaryDirectory() + "peixun-inspect-" + UUID().uuidString
        process.environment = environment
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        FileManager.default.createFile(atPath: output.path, contents: nil)
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: output)
            try? FileManager.default.removeItem(at: errors)
            try? FileManager.default.removeItem(atPath: environment["PEIXUN_DATA_DIR"]!)
        }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        process.waitUntilExit()
        return Run(status: process.terminationStatus,
                   output: try String(contentsOf: output, encoding: .utf8),
                   errors: try String(contentsOf: errors, encoding: .utf8))
    }

    static func temporaryFile(_ name: String, _ contents: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("peixun-inspect-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func printsEveryCellOfACSVAsJSON() throws {
        let csv = try Self.temporaryFile("名册.csv", "姓名,备注\n张三,\"引号\"\"与,逗号\"\n\n李四\n")
        defer { try? FileManager.default.removeItem(at: csv.deletingLastPathComponent()) }
        let run = try Self.peixun(["inspect", csv.path, "--cells", "--json"])
        #expect(run.status == 0, "\(run.errors)")
        struct Document: Decodable {
            struct Sheet: Decodable { let name: String; let rows: [[String]] }
            let sheets: [Sheet]
        }
        let document = try JSONDecoder().decode(Document.self, from: Data(run.output.utf8))
        #expect(document.sheets.map(\.name) == ["名册"])
        #expect(document.sheets[0].rows == [["姓名", "备注"], ["张三", "引号\"与,逗号"], [], ["李四"]])
    }

    @Test func refusesWhatIsNotASpreadsheetInChineseWithStatus2() throws {
        let file = try Self.temporaryFile("名册.xlsx", "%PDF-1.4 不是表格")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let run = try Self.peixun(["inspect", file.path, "--cells", "--json"])
        #expect(run.status == 2)
        #expect(run.errors.contains("文件“名册.xlsx”是 PDF 文档"))
    }

    @Test func cellsGoWithJSONOnly() throws {
        let csv = try Self.temporaryFile("a.csv", "姓名\n张三\n")
        defer { try? FileManager.default.removeItem(at: csv.deletingLastPathComponent()) }
        let run = try Self.peixun(["inspect", csv.path, "--cells"])
        #expect(run.status == 2)
        #expect(run.errors.contains("用法：peixun inspect 文件 --cells --json"))
    }
}
