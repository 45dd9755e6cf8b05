import Foundation

/// Receives what the readers read from a workbook: each sheet in workbook order, and in it
/// every row from row 1 to the last row that has a cell, each up to its last cell.
public protocol CellSink: AnyObject {
    func beginSheet(named name: String) throws
    /// The next row, row 1 first; an empty array for a row without cells.
    func row(_ cells: [CellValue]) throws
    func endSheet() throws
}

/// Every cell of a workbook as the readers read it, from A1 — for `peixun inspect --cells` and
/// for comparing the readers with another implementation. The same readers as an import, so
/// what this shows is what an import sees; rows stream through one at a time, so memory holds
/// what the reader itself holds (the shared strings; one .xls sheet; a CSV file), never the output.
public enum WorkbookCells {
    public struct Limits: Sendable {
        public var reader = XlsxTableReader.Limits()
        /// Excel's own limits: a row number or column beyond them is refused, not padded to.
        public var maxRowNumber = 1_048_576
        public var maxColumns = 16_384
        /// Cells handed over, counting the empty ones that fill gaps (an empty row counts one).
        public var maxCells = 50_000_000
        /// A CSV file is read whole by its reader.
        public var maxCSVBytes = 64 << 20

        public init() {}
    }

    /// Reads `url` (.xlsx, .xls or .csv, judged by its content) and hands its cells to `sink`.
    public static func read(url: URL, fileName: String? = nil, limits: Limits = Limits(), into sink: some CellSink) throws {
        let name = fileName ?? url.lastPathComponent
        let head: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            head = try handle.read(upToCount: 1 << 16) ?? Data()
            try handle.close()
        } catch {
            throw SheetError(.corrupt, "无法读取文件“\(name)”")
        }
        let kind = FileKind.sniff(head, fileName: name)
        if let refusal = kind.refusal(fileName: name) { throw refusal }
        var layout = Layout(fileName: name, limits: limits, sink: sink)
        switch kind {
        case .xlsx:
            let reader = try XlsxTableReader(url: url, fileName: name, limits: limits.reader)
            for (index, sheet) in reader.sheets.enumerated() {
                try layout.sheet(named: sheet.name) { body in try reader.forEachRow(sheet: index, body) }
            }
        case .xls:
            let sheets = try XlsTableReader(url: url, fileName: name, limits: limits.reader).sheets
            for (index, sheet) in sheets.enumerated() {
                // A reader keeps the rows of each sheet it has read; one per sheet holds one at a time.
                let reader = try XlsTableReader(url: url, fileName: name, limits: limits.reader)
                try layout.sheet(named: sheet) { body in try reader.forEachRow(sheet: index, body) }
            }
        case .csv:
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
            guard size <= limits.maxCSVBytes else {
                throw SheetError(.tooLarge, "文件“\(name)”超过 \(limits.maxCSVBytes >> 20) MB，不能逐格输出；请拆分后再检查")
            }
            let data: Data
            do { data = try Data(contentsOf: url) } catch { throw SheetError(.corrupt, "无法读取文件“\(name)”") }
            let (rows, _) = try CSVTableReader.rows(from: data, limit: limits.reader.maxRows)
            // Excel names the one sheet of a CSV file after the file.
            let sheetName = (name as NSString).deletingPathExtension
            try layout.sheet(named: sheetName) { body in
                for row in rows where try !body(row) { return }
            }
        default:
            throw SheetError(.notSpreadsheet, "文件“\(name)”不是电子表格；请上传 .xlsx、.xls 或 .csv 文件")
        }
    }

    /// Places the rows a reader hands over (numbered, with gaps) at their row from row 1.
    struct Layout<Sink: CellSink> {
        let fileName: String
        let limits: Limits
        let sink: Sink
        private var cells = 0

        init(fileName: String, limits: Limits, sink: Sink) {
            self.fileName = fileName
            self.limits = limits
            self.sink = sink
        }

        /// `rows` calls its argument with each row the reader read, in order.
        mutating func sheet(named name: String, rows: ((SheetRow) throws -> Bool) throws -> Void) throws {
            try sink.beginSheet(named: name)
            var lastNumber = 0
            var pendingEmpty = 0
            var failure: SheetError?
            try rows { row in
                let place = "文件“\(fileName)”的工作表“\(name)”"
                guard row.number > lastNumber else {
                    failure = SheetError(.corrupt, "\(place)第 \(row.number) 行出现在第 \(lastNumber) 行之后（行号顺序错乱），文件可能已损坏；请重新保存后再试")
                    return false
                }
                guard row.number <= limits.maxRowNumber else {
                    failure = SheetError(.tooManyRows, "\(place)有第 \(row.number) 行，超过 Excel 的 \(limits.maxRowNumber) 行上限，拒绝读取")
                    return false
                }
                var values = row.cells
                while let last = values.last, last == .empty { values.removeLast() }
                guard values.count <= limits.maxColumns else {
                    failure = SheetError(.tooLarge, "\(place)第 \(row.number) 行超过 Excel 的 \(limits.maxColumns) 列上限，拒绝读取")
                    return false
                }
                pendingEmpty += row.number - lastNumber - 1
                lastNumber = row.number
                guard !values.isEmpty else {
                    pendingEmpty += 1
                    return true
                }
                cells += pendingEmpty + values.count
                guard cells <= limits.maxCells else {
                    failure = SheetError(.tooLarge, "文件“\(fileName)”的单元格超过 \(limits.maxCells) 个（含空白），不能逐格输出；请拆分后再检查")
                    return false
                }
                for _ in 0..<pendingEmpty { try sink.row([]) }
                pendingEmpty = 0
                try sink.row(values)
                return true
            }
            if let failure { throw failure }
            try sink.endSheet()
        }
    }
}

extension CellValue {
    /// The cell as its file stores it: text as is, a number as written (`15`, `0.1`, `5.10104E+17`),
    /// a boolean as TRUE or FALSE, a date (a number in a date format) as YYYY-MM-DD, empty as "".
    public var storedText: String {
        switch self {
        case .empty: ""
        case .text(let value): value
        case .number(_, let raw): raw
        case .bool(let value): value ? "TRUE" : "FALSE"
        case .date(let date): date.description
        }
    }
}
