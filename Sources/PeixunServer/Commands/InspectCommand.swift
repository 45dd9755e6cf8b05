import Foundation
import PeixunCore
import PeixunSheets
import Vapor

/// `peixun inspect FILE`: what the system sees in a roster before importing it — which sheet,
/// which header row, which columns, how many rows — without touching the database.
/// `peixun inspect FILE --cells --json`: every cell of every sheet as the reader read it.
struct InspectCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: ".xlsx、.xls 或 .csv 文件")
        var file: String
        @Option(name: "sheet", help: "工作表名称")
        var sheet: String?
        @Flag(name: "cells", help: "输出读到的全部单元格（与 --json 一起使用）")
        var cells: Bool
        @Flag(name: "json", help: "以 JSON 输出")
        var json: Bool
        init() {}
    }

    var help: String { "检查电子表格：识别工作表、表头和行数（不写入数据库）；--cells --json 输出读到的全部单元格" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let url = URL(fileURLWithPath: signature.file)
        if signature.cells || signature.json {
            guard signature.cells, signature.json, signature.sheet == nil else {
                Self.standardError("用法：peixun inspect 文件 --cells --json（输出全部工作表的全部单元格）")
                throw ExitCode(2)
            }
            try dumpCells(url)
            return
        }
        var rows = 0, cells = 0
        let started = ContinuousClock.now
        do {
            let opened = try SpreadsheetTable.read(url: url, fileName: url.lastPathComponent, specs: TeacherImporter.specs,
                                                   options: .init(sheetName: signature.sheet)) { row, _ in
                rows += 1
                for cell in row.cells where !cell.isEmpty { cells += cell.text.isEmpty ? 0 : 1 }
            }
            let seconds = (ContinuousClock.now - started).secondsValue
            let columns = opened.header.columns.sorted { $0.value < $1.value }
                .map { "\(ColumnName.letters($0.value))=\(TeacherColumn(rawValue: $0.key)?.label ?? $0.key)" }
            context.console.print("工作表：\(opened.sheetName ?? "（CSV）")；表头在第 \(opened.header.rowNumber) 行")
            context.console.print("识别的列：\(columns.joined(separator: "，"))")
            if !opened.header.ignored.isEmpty { context.console.print("忽略的列：\(opened.header.ignored.joined(separator: "、"))") }
            context.console.print(String(format: "数据行：%d 行，非空单元格 %d 个；读取用时 %.2f 秒（%.0f 行/秒）", rows, cells, seconds, Double(rows) / max(seconds, 0.001)))
        } catch let error as SheetError {
            context.console.error(error.message)
            throw ExitCode(2)
        }
    }

    /// JSON on standard output as the rows are read; on a refusal, the message on standard
    /// error (the console writes to standard output, where the JSON goes) and exit status 2
    /// (what was already written is then not a whole JSON document).
    private func dumpCells(_ url: URL) throws {
        let writer = CellsJSONWriter(fileHandle: .standardOutput)
        do {
            try WorkbookCells.read(url: url, fileName: url.lastPathComponent, into: writer)
            try writer.finish()
        } catch let error as SheetError {
            Self.standardError(error.message)
            throw ExitCode(2)
        }
    }

    private static func standardError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}

/// `peixun demo-roster [--scale full|small] -o FILE`: the demo province's teachers as a roster
/// workbook in the layout offices use, for trying (and timing) imports.
struct DemoRosterCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "scale", help: "full 或 small")
        var scale: String?
        @Option(name: "seed", help: "随机种子")
        var seed: UInt64?
        @Option(name: "output", short: "o", help: "输出 .xlsx 文件")
        var output: String?
        init() {}
    }

    var help: String { "生成演示省份的教师名册 .xlsx（用于试用和测量导入）" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let output = signature.output, let scale = DemoScale(rawValue: signature.scale ?? "full") else {
            context.console.error("用法：peixun demo-roster [--scale full|small] -o 文件.xlsx")
            throw ExitCode(2)
        }
        let generator = DemoProvinceGenerator(scale: scale, seed: signature.seed ?? 2017)
        let workbook = try XlsxWorkbook(path: output)
        let sheet = try workbook.addSheet(named: "教师名册")
        sheet.merge(rows: 0...0, columns: 0...6, "四川省中小学专任教师名册")
        let headers = ["县(市、区)", "所在学校", "学段", "教师姓名", "身份证号码", "联系电话", "备注"]
        for (column, header) in headers.enumerated() { sheet.write(header, row: 1, column: column) }
        var row = 2
        for county in generator.counties() {
            // Names two counties share (市中区) are written with their city, as offices do.
            let countyName = generator.directory.resolve(county.county.name, level: .county).region == nil
                ? (generator.directory.parent(of: county.county)?.name ?? "") + county.county.name : county.county.name
            let schools = Dictionary(uniqueKeysWithValues: county.schools.map { ($0.id, $0) })
            for teacher in county.teachers {
                sheet.write(countyName, row: row, column: 0)
                sheet.write(schools[teacher.schoolID]!.name, row: row, column: 1)
                sheet.write(teacher.stage.label, row: row, column: 2)
                sheet.write(teacher.name, row: row, column: 3)
                sheet.write(teacher.residentID.value, row: row, column: 4)
                sheet.write(teacher.mobile, row: row, column: 5)
                row += 1
            }
        }
        try workbook.close()
        context.console.info("已写入 \(output)：\(row - 2) 名教师")
    }
}
