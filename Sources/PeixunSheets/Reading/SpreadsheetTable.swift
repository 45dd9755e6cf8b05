import Foundation

/// Opens any spreadsheet an office sends (.xlsx from any writer, CSV in UTF-8 or GB18030),
/// finds the table in it and hands over its data rows, or refuses the file with the reason.
public enum SpreadsheetTable {
    public struct Options: Sendable {
        public var sheetName: String?
        public var limits = XlsxTableReader.Limits()
        /// Updated while reading, for a progress bar.
        public var progress: ReadProgress?
        /// Whether a closing line (合计：185人, 总计) ends the table. Nil: yes, unless one of the
        /// specs is a 合计 column (a statistics table whose totals the importer checks).
        public var endsAtTotals: Bool?

        public init(sheetName: String? = nil) { self.sheetName = sheetName }
    }

    public struct Opened: Sendable {
        public let header: HeaderMatch
        public let sheetName: String?
        public let kind: FileKind
    }

    /// Reads `url`; `body` receives each data row below the header until the notes begin,
    /// with the header that says which column holds what.
    @discardableResult
    public static func read(url: URL, fileName: String, specs: [ColumnSpec], options: Options = Options(),
                            _ body: (SheetRow, HeaderMatch) throws -> Void) throws -> Opened {
        let head: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            head = try handle.read(upToCount: 1 << 16) ?? Data()
            try handle.close()
        } catch {
            throw SheetError(.corrupt, "无法读取文件“\(fileName)”")
        }
        let kind = FileKind.sniff(head, fileName: fileName)
        if let refusal = kind.refusal(fileName: fileName) { throw refusal }
        switch kind {
        case .csv:
            let data: Data
            do { data = try Data(contentsOf: url) } catch { throw SheetError(.corrupt, "无法读取文件“\(fileName)”") }
            let (rows, _) = try CSVTableReader.rows(from: data, limit: options.limits.maxRows, fileName: fileName)
            let header = try locate(rows: rows, specs: specs, fileName: fileName, sheet: nil)
            var table = TableBody(header: header, merges: [], endsAtTotals: options.endsAtTotals ?? TableBody.endsAtTotals(specs: specs))
            var counter = RowCounter(progress: options.progress)
            reading: for (index, row) in rows.enumerated() where row.number > header.rowNumber {
                switch table.next(row) {
                case .end: break reading
                case .skip: break
                case .data(let row): try body(row, header)
                }
                counter.count(fraction: Double(index + 1) / Double(rows.count))
            }
            counter.finish()
            return Opened(header: header, sheetName: nil, kind: kind)
        case .xlsx:
            let reader = try XlsxTableReader(url: url, fileName: fileName, limits: options.limits)
            reader.progress = options.progress
            return try readSheets(reader, kind: kind, fileName: fileName, specs: specs, options: options, body)
        case .xls:
            let reader = try XlsTableReader(url: url, fileName: fileName, limits: options.limits)
            return try readSheets(reader, kind: kind, fileName: fileName, specs: specs, options: options, body)
        default:
            throw kind.refusal(fileName: fileName) ?? SheetError(.notSpreadsheet, "文件“\(fileName)”不是电子表格")
        }
    }

    /// A workbook: the first sheet with a recognised header (or the one named) gives the rows.
    private static func readSheets(_ reader: some WorkbookReader, kind: FileKind, fileName: String, specs: [ColumnSpec], options: Options,
                                   _ body: (SheetRow, HeaderMatch) throws -> Void) throws -> Opened {
        let names = reader.sheetNames
        var candidates = Array(names.indices)
        if let wanted = options.sheetName {
            guard let index = names.firstIndex(of: wanted) else {
                throw SheetError(.noSheet, "文件“\(fileName)”中没有名为“\(wanted)”的工作表（有：\(names.joined(separator: "、"))）")
            }
            candidates = [index]
        }
        var lastError: SheetError?
        for index in candidates {
            var head: [SheetRow] = []
            // A first look at the top rows; the sheet is checked when it is read in full.
            try reader.forEachRow(sheet: index, checkingStructure: false) { row in
                head.append(row)
                return head.count < HeaderDetector.searchDepth
            }
            do {
                let header = try locate(rows: head, specs: specs, fileName: fileName, sheet: names[index])
                var table = TableBody(header: header, merges: reader.mergedRanges(sheet: index),
                                      endsAtTotals: options.endsAtTotals ?? TableBody.endsAtTotals(specs: specs))
                var counter = RowCounter(progress: options.progress)
                try reader.forEachRow(sheet: index, checkingStructure: true) { row in
                    switch table.next(row) {
                    case .end: return false
                    case .skip: return true
                    case .data(let row):
                        try body(row, header)
                        counter.count(fraction: nil)
                        return true
                    }
                }
                counter.finish()
                return Opened(header: header, sheetName: names[index], kind: kind)
            } catch let error as SheetError where error.code == .missingColumns {
                // A sheet whose header cannot be found may be a broken one: say so if it is.
                try reader.forEachRow(sheet: index, checkingStructure: true) { _ in false }
                guard options.sheetName == nil else { throw error }
                lastError = error
            }
        }
        throw lastError ?? SheetError(.missingColumns, "文件“\(fileName)”中找不到表头")
    }

    private static func locate(rows: [SheetRow], specs: [ColumnSpec], fileName: String, sheet: String?) throws(SheetError) -> HeaderMatch {
        let place = sheet.map { "工作表“\($0)”" } ?? "文件"
        guard let header = HeaderDetector.detect(in: rows, specs: specs) else {
            let wanted = specs.filter(\.required).map(\.label).joined(separator: "、")
            throw SheetError(.missingColumns, "文件“\(fileName)”的\(place)前 \(HeaderDetector.searchDepth) 行中找不到表头；表头应包含：\(wanted)")
        }
        let missing = HeaderDetector.missing(header, specs: specs)
        guard missing.isEmpty else {
            throw SheetError(.missingColumns, "文件“\(fileName)”的\(place)第 \(header.rowNumber) 行表头缺少必填列：\(missing.map(\.label).joined(separator: "、"))")
        }
        return header
    }
}

/// A workbook of several sheets, read row by row.
protocol WorkbookReader {
    var sheetNames: [String] { get }
    /// `checkingStructure: false` for a first look at the top rows of a sheet read in full later.
    func forEachRow(sheet index: Int, checkingStructure: Bool, _ body: (SheetRow) throws -> Bool) throws
    /// The sheet's merged ranges, once it has been read to its end.
    func mergedRanges(sheet index: Int) -> [MergedRange]
}

extension XlsxTableReader: WorkbookReader {
    var sheetNames: [String] { sheets.map(\.name) }
}

extension XlsTableReader: WorkbookReader {
    var sheetNames: [String] { sheets }

    func forEachRow(sheet index: Int, checkingStructure: Bool, _ body: (SheetRow) throws -> Bool) throws {
        try forEachRow(sheet: index, body)
    }

    /// libfreexl does not report merged cells.
    func mergedRanges(sheet index: Int) -> [MergedRange] { [] }
}

/// Tells a `ReadProgress` about rows in bunches, not one lock per row.
struct RowCounter {
    let progress: ReadProgress?
    private var pending = 0

    init(progress: ReadProgress?) { self.progress = progress }

    mutating func count(fraction: Double?) {
        guard let progress else { return }
        pending += 1
        if pending == 512 {
            progress.add(rows: pending)
            if let fraction { progress.reached(fraction: fraction) }
            pending = 0
        }
    }

    /// The whole table has been read.
    mutating func finish() {
        progress?.add(rows: pending)
        progress?.reached(fraction: 1)
        pending = 0
    }
}
