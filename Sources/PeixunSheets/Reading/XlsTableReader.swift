import Foundation
import PeixunCore

/// Reads legacy Excel 97–2003 workbooks (BIFF8 .xls) through libfreexl — in a child process,
/// `peixun-xls`, because libfreexl 1.0.6 overflows a stack buffer on crafted files (found by
/// bench/fuzz). The child limits its own memory and time; a crash refuses the file and
/// leaves the server untouched. A sheet holds at most 65,536 rows, so rows are kept per sheet.
public final class XlsTableReader: @unchecked Sendable {
    public let fileName: String
    public let sheets: [String]
    private let url: URL
    private let limits: XlsxTableReader.Limits
    private var cache: [Int: [SheetRow]] = [:]

    public init(url: URL, fileName: String? = nil, limits: XlsxTableReader.Limits = .init()) throws(SheetError) {
        let name = fileName ?? url.lastPathComponent
        self.fileName = name
        self.url = url
        self.limits = limits
        let lines = try Self.run(["sheets", url.path], fileName: name, maxRows: limits.maxRows)
        sheets = lines.compactMap { $0.first == "sheet" && $0.count > 1 ? $0[1] : nil }
        guard !sheets.isEmpty else { throw SheetError(.noSheet, "文件“\(name)”中没有工作表") }
    }

    /// Calls `body` with each row of a sheet that has any cell, top to bottom; `body` returns
    /// false to stop.
    public func forEachRow(sheet index: Int, _ body: (SheetRow) throws -> Bool) throws {
        if cache[index] == nil {
            let lines = try Self.run(["rows", url.path, String(index), String(limits.maxRows)], fileName: fileName, maxRows: limits.maxRows)
            cache[index] = lines.compactMap(Self.row)
        }
        for row in cache[index]! where try !body(row) { return }
    }

    private static func row(_ fields: [String]) -> SheetRow? {
        guard fields.count >= 2, fields[0] == "row", let number = Int(fields[1]) else { return nil }
        let cells = fields.dropFirst(2).map { field -> CellValue in
            let kind = field.first
            let text = String(field.dropFirst())
            switch kind {
            case "t": return .text(text)
            case "n": return Double(text).map { .number($0, raw: text) } ?? .text(text)
            case "d":
                return CivilDate(iso: text).map(CellValue.date) ?? .text(text)
            default: return .empty
            }
        }
        return SheetRow(number: number, cells: cells)
    }

    /// Where `peixun-xls` is: `PEIXUN_XLS_HELPER`, else beside the running program (the
    /// server, the CLI or the test runner), else on the PATH.
    static var helper: URL? {
        if let path = ProcessInfo.processInfo.environment["PEIXUN_XLS_HELPER"], !path.isEmpty { return URL(fileURLWithPath: path) }
        var candidates: [URL] = []
        if let main = Bundle.main.executableURL?.resolvingSymlinksInPath() { candidates.append(main.deletingLastPathComponent()) }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent())
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append(URL(fileURLWithPath: String(directory)))
        }
        return candidates.map { $0.appendingPathComponent("peixun-xls") }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    private static func run(_ arguments: [String], fileName: String, maxRows: Int) throws(SheetError) -> [[String]] {
        guard let helper else {
            throw SheetError(.unsupported, "服务器缺少 .xls 读取组件（peixun-xls），暂不能读取“\(fileName)”；请另存为 .xlsx 后上传")
        }
        let process = Process()
        process.executableURL = helper
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let data: Data
        do {
            try process.run()
            data = try output.fileHandleForReading.readToEnd() ?? Data()
            process.waitUntilExit()
        } catch {
            throw SheetError(.unsupported, "无法启动 .xls 读取组件，暂不能读取“\(fileName)”；请另存为 .xlsx 后上传")
        }
        guard process.terminationReason == .exit else {
            throw SheetError(.corrupt, "文件“\(fileName)”已损坏或不完整（读取 .xls 时出错），请在 Excel 或 WPS 中重新保存后上传")
        }
        switch process.terminationStatus {
        case 0: break
        case 3: throw SheetError(.encrypted, "文件“\(fileName)”设置了打开密码，请在 Excel 或 WPS 中取消密码后重新上传")
        case 4: throw SheetError(.notSpreadsheet, "文件“\(fileName)”不是有效的 Excel 97-2003（.xls）工作簿；请用 Excel 或 WPS 打开后另存为 .xlsx 再上传")
        case 6: throw SheetError(.tooManyRows, "文件“\(fileName)”超过 \(maxRows) 行，请拆分后分批导入")
        default: throw SheetError(.corrupt, "文件“\(fileName)”已损坏或不完整（读取 .xls 时出错），请在 Excel 或 WPS 中重新保存后上传")
        }
        return data.split(separator: 10).map { line in
            line.split(separator: 9, omittingEmptySubsequences: false).map(unescape)
        }
    }

    private static func unescape(_ bytes: Data.SubSequence) -> String {
        guard bytes.contains(92) else { return String(decoding: bytes, as: UTF8.self) }
        var result: [UInt8] = []
        var escaped = false
        for byte in bytes {
            if escaped {
                switch byte {
                case 116: result.append(9)
                case 110: result.append(10)
                case 114: result.append(13)
                default: result.append(byte)
                }
                escaped = false
            } else if byte == 92 {
                escaped = true
            } else {
                result.append(byte)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}
