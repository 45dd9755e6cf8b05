import Foundation
import PeixunCore

/// Reads .xlsx from any writer (Excel, WPS, LibreOffice, openpyxl, xlsxwriter) by streaming
/// the worksheet: memory holds the shared strings and one chunk of rows, never the sheet.
public final class XlsxTableReader {
    public struct Limits: Sendable {
        /// Total uncompressed bytes of the parts read; beyond it the file is refused as a zip bomb.
        public var maxUncompressedBytes: UInt64 = 2 << 30
        /// Compression ratio above which a large part is refused.
        public var maxRatio: UInt64 = 200
        public var maxRows: Int = 1_000_000

        public init() {}
    }

    public let fileName: String
    /// Told how much of a sheet has been inflated, for a progress bar.
    public var progress: ReadProgress?
    public let sheets: [(name: String, path: String)]
    private let archive: ZipInflater
    private let package: XlsxPackage
    private let limits: Limits
    private let sharedStringsPath: String?
    private var sharedStrings: [String] = []
    private var dateStyles: Set<Int> = []
    private var date1904 = false
    private var uncompressedSoFar: UInt64 = 0
    /// The merged ranges of each sheet read to its end so far.
    private var merges: [Int: [MergedRange]] = [:]

    public init(url: URL, fileName: String? = nil, limits: Limits = Limits()) throws(SheetError) {
        self.fileName = fileName ?? url.lastPathComponent
        self.limits = limits
        let name = self.fileName
        let corrupt = SheetError(.corrupt, "文件“\(name)”已损坏或不完整（压缩包无法打开），请重新保存后上传")
        // The directory is read from the file mapped for the moment; entries are read in pieces.
        guard let members = (try? Data(contentsOf: url, options: .alwaysMapped)).flatMap(ZipIntegrity.entries(of:)),
              !members.isEmpty, let inflater = ZipInflater(url: url) else { throw corrupt }
        archive = inflater
        package = XlsxPackage(members)
        guard !package.isEmpty else { throw corrupt }
        let parts = try Self.locateParts(archive, package, fileName: name, limits: limits)
        guard !parts.sheets.isEmpty else { throw SheetError(.noSheet, "文件“\(name)”中没有工作表") }
        self.sheets = parts.sheets
        self.date1904 = parts.date1904
        self.sharedStringsPath = parts.sharedStrings
        if parts.sharedStrings != nil { try loadSharedStrings() }
        if let path = parts.styles, let styles = try? Self.readWhole(archive, package, path, fileName: name, limits: limits) {
            dateStyles = Self.parseDateStyles(styles)
        }
    }

    /// Streams the rows of one sheet (by index into `sheets`), skipping rows with no cells;
    /// `body` returns false to stop. The sheet is still read to its end: a sheet that is not
    /// well-formed XML (cut off, tags that do not match) is refused, not taken as shorter.
    public func forEachRow(sheet index: Int, _ body: (SheetRow) throws -> Bool) throws {
        try forEachRow(sheet: index, checkingStructure: true, body)
    }

    /// The merged ranges of a sheet (`<mergeCells>`, after the rows), known once the sheet has
    /// been read to its end by `forEachRow`.
    public func mergedRanges(sheet index: Int) -> [MergedRange] { merges[index] ?? [] }

    /// `checkingStructure: false` for a first look at the top rows, read again in full later.
    func forEachRow(sheet index: Int, checkingStructure: Bool, _ body: (SheetRow) throws -> Bool) throws {
        let sheetName = sheets[index].name
        guard let entry = package[sheets[index].path] else {
            throw SheetError(.corrupt, "文件“\(fileName)”缺少工作表“\(sheetName)”的内容，文件可能已损坏")
        }
        try checkBomb(entry)
        var stream: ElementStream?
        var tags = SpreadsheetTags.plain
        var head: [UInt8] = []
        var structure = XMLStructureCheck()
        var tail = SheetTail()
        var nextRowNumber = 1
        var rows = 0
        var stop = false
        var failure: (any Error)?
        var inflated = 0
        let total = max(1, Double(entry.uncompressedSize))
        let tooLarge = SheetError(.tooLarge, "文件“\(fileName)”的工作表“\(sheetName)”中有一行的内容超过 \(ElementStream.maxPending >> 20) MB，不像是表格数据，拒绝读取")
        do {
            try archive.extract(entry) { chunk in
                // A sheet without the expected header may be a broken one: read its structure to
                // the end, so that a cut-off or mangled sheet is called that, not "columns missing".
                if let failure, !(checkingStructure && (failure as? SheetError)?.code == .missingColumns) { throw failure }
                try self.count(chunk.count)
                inflated += chunk.count
                self.progress?.reached(fraction: Double(inflated) / total)
                tail.feed(chunk)
                if checkingStructure, !chunk.withUnsafeBytes({ structure.feed($0.bindMemory(to: UInt8.self)) }) {
                    throw self.notWellFormed(sheetName, structure.problem ?? "")
                }
                guard !stop else { return }
                if stream == nil {
                    // Some writers (Open XML SDK, 腾讯文档) put every element in a prefix: <x:row>.
                    head.append(contentsOf: chunk)
                    guard let prefix = head.withUnsafeBufferPointer({ XMLBytes.rootPrefix($0) }) ?? (head.count > 1 << 20 ? [] : nil) else { return }
                    tags = SpreadsheetTags(prefix: prefix)
                    stream = ElementStream(closing: tags.rowClose)
                }
                func handle(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws {
                    guard !stop else { return }
                    guard let row = try self.parseRow(bytes, range, defaultNumber: nextRowNumber, sheet: sheetName, tags: tags) else { return }
                    guard row.number <= Self.excelMaxRows else {
                        throw SheetError(.tooLarge, "文件“\(self.fileName)”的工作表“\(sheetName)”有第 \(row.number) 行，超过 Excel 的 \(Self.excelMaxRows) 行上限，不是正常的工作表，拒绝读取")
                    }
                    nextRowNumber = row.number + 1
                    rows += 1
                    if rows > self.limits.maxRows {
                        throw SheetError(.tooManyRows, "文件“\(self.fileName)”超过 \(self.limits.maxRows) 行的上限，请分成几个文件导入")
                    }
                    do {
                        if try !body(row) { stop = true }
                    } catch {
                        failure = error
                        stop = true
                    }
                }
                let fits = head.isEmpty ? try stream!.feed(chunk, handle) : try stream!.feed(head, handle)
                head = []
                if let failure { throw failure }
                guard fits else { throw tooLarge }
            }
        } catch {
            if let failure { throw failure }
            if let error = error as? SheetError { throw error }
            throw SheetError(.corrupt, "文件“\(fileName)”的工作表“\(sheetName)”已损坏或不完整（压缩数据无法解开），请在 Excel 或 WPS 中重新保存后上传")
        }
        if checkingStructure, let problem = structure.finish() { throw notWellFormed(sheetName, problem) }
        if let failure { throw failure }
        merges[index] = tail.mergedRanges()
    }

    private func notWellFormed(_ sheetName: String, _ problem: String) -> SheetError {
        SheetError(.corrupt, "文件“\(fileName)”的工作表“\(sheetName)”内容不完整或已损坏（\(problem)），不能读取；请在 Excel 或 WPS 中打开检查、重新保存后上传")
    }

    // MARK: Rows

    /// The last row a worksheet can have (Excel 2007 and later); a row number beyond it is not from a real sheet.
    static let excelMaxRows = 1_048_576

    private static let rAttribute = Array("r".utf8)
    private static let tAttribute = Array("t".utf8)
    private static let sAttribute = Array("s".utf8)

    private func parseRow(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, defaultNumber: Int, sheet: String,
                          tags: SpreadsheetTags) throws(SheetError) -> SheetRow? {
        guard let rowStart = XMLBytes.find(tags.rowOpen, in: bytes, from: range.lowerBound, to: range.upperBound),
              let tagEnd = XMLBytes.find([UInt8(ascii: ">")], in: bytes, from: rowStart, to: range.upperBound) else { return nil }
        var number = defaultNumber
        if let r = XMLBytes.attribute(Self.rAttribute, in: bytes, from: rowStart + tags.rowOpen.count, to: tagEnd), let value = XMLBytes.integer(bytes, r) {
            number = value
        }
        var cells: [CellValue] = []
        cells.reserveCapacity(16)
        var index = tagEnd + 1
        var nextColumn = 0
        let end = range.upperBound
        let cellOpen = tags.cellOpen, cellClose = tags.cellClose
        let rAttribute = Self.rAttribute, tAttribute = Self.tAttribute, sAttribute = Self.sAttribute
        while let open = XMLBytes.find(cellOpen, in: bytes, from: index, to: end) {
            let attributes = open + cellOpen.count
            guard attributes < end else { break }
            let after = bytes[attributes]
            guard XMLBytes.isSpace(after) || after == UInt8(ascii: ">") || after == UInt8(ascii: "/") else { index = attributes; continue }
            guard let startTagEnd = XMLBytes.find([UInt8(ascii: ">")], in: bytes, from: open, to: end) else { break }
            var column = nextColumn
            if let r = XMLBytes.attribute(rAttribute, in: bytes, from: attributes, to: startTagEnd),
               let parsed = ColumnName.column(bytes, r) {
                column = parsed
            }
            let type = XMLBytes.attribute(tAttribute, in: bytes, from: attributes, to: startTagEnd).map { CellType(bytes, $0) } ?? .number
            let style = XMLBytes.attribute(sAttribute, in: bytes, from: attributes, to: startTagEnd).flatMap { XMLBytes.integer(bytes, $0) }
            var value = CellValue.empty
            if bytes[startTagEnd - 1] == UInt8(ascii: "/") {
                index = startTagEnd + 1
            } else {
                guard let close = XMLBytes.find(cellClose, in: bytes, from: startTagEnd, to: end) else { break }
                value = cellValue(bytes, contentStart: startTagEnd + 1, contentEnd: close, type: type, style: style, tags: tags)
                index = close + cellClose.count
            }
            guard column < CSVTableReader.maxColumns else {
                throw SheetError(.tooLarge, "文件“\(fileName)”的工作表“\(sheet)”第 \(number) 行有超过 \(CSVTableReader.maxColumns) 列（Excel 的上限）的单元格，不是 Excel 能打开的工作簿，拒绝读取")
            }
            if case .text(let text) = value, text.utf8.count > CSVTableReader.maxCellCharacters, text.utf16.count > CSVTableReader.maxCellCharacters {
                throw SheetError(.tooLarge, "文件“\(fileName)”的工作表“\(sheet)”的 \(ColumnName.letters(column))\(number) 单元格超过 \(CSVTableReader.maxCellCharacters) 个字符（Excel 单元格的上限），不像是表格数据，拒绝读取")
            }
            if column >= cells.count { cells.append(contentsOf: repeatElement(.empty, count: column - cells.count + 1)) }
            cells[column] = value
            nextColumn = column + 1
        }
        while let last = cells.last, last == .empty { cells.removeLast() }
        return SheetRow(number: number, cells: cells)
    }

    /// The `t` attribute of a cell, read without making a string of it.
    enum CellType {
        case sharedString, inlineString, formulaString, error, boolean, date, number

        init(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
            switch (range.count, bytes[range.lowerBound]) {
            case (1, UInt8(ascii: "s")): self = .sharedString
            case (9, UInt8(ascii: "i")): self = .inlineString
            case (3, UInt8(ascii: "s")): self = .formulaString
            case (1, UInt8(ascii: "e")): self = .error
            case (1, UInt8(ascii: "b")): self = .boolean
            case (1, UInt8(ascii: "d")): self = .date
            default: self = .number
            }
        }
    }

    private func cellValue(_ bytes: UnsafeBufferPointer<UInt8>, contentStart: Int, contentEnd: Int, type: CellType, style: Int?,
                           tags: SpreadsheetTags) -> CellValue {
        if type == .inlineString {
            guard let open = XMLBytes.find(tags.inlineOpen, in: bytes, from: contentStart, to: contentEnd) else { return .empty }
            let close = XMLBytes.find(tags.inlineClose, in: bytes, from: open, to: contentEnd) ?? contentEnd
            let text = XMLBytes.joinedTexts(bytes, from: open, to: close, tags: tags)
            return text.isEmpty ? .empty : .text(text)
        }
        guard let open = XMLBytes.find(tags.valueOpen, in: bytes, from: contentStart, to: contentEnd),
              let close = XMLBytes.find(tags.valueClose, in: bytes, from: open, to: contentEnd) else { return .empty }
        let valueRange = (open + tags.valueOpen.count)..<close
        if type == .sharedString {
            guard let index = XMLBytes.integer(bytes, valueRange), index < sharedStrings.count else { return .empty }
            let text = sharedStrings[index]
            return text.isEmpty ? .empty : .text(text)
        }
        let raw = XMLBytes.text(bytes, valueRange)
        switch type {
        case .formulaString, .error:
            return raw.isEmpty ? .empty : .text(raw)
        case .boolean:
            return .bool(raw == "1" || raw.lowercased() == "true")
        case .date:
            return CivilDate(iso: raw).map(CellValue.date) ?? .text(raw)
        default:
            guard let number = Double(raw) else { return raw.isEmpty ? .empty : .text(raw) }
            if let style, dateStyles.contains(style), let date = ExcelDate.civilDate(serial: number, date1904: date1904) {
                return .date(date)
            }
            return .number(number, raw: raw)
        }
    }

    // MARK: Parts

    /// Inflating and parsing overlap: a province's 53 MB table took 0.9 s on one thread, with
    /// the other core idle (nothing else can start before the strings are known).
    private func loadSharedStrings() throws(SheetError) {
        guard let path = sharedStringsPath, let entry = package[path] else { return }
        try checkBomb(entry)
        let chunks = HandOverQueue<Data, Void>(capacity: 32)
        let parsed = SharedStringParser()
        let parser = Thread { parsed.run(chunks) }
        parser.stackSize = 8 << 20
        parser.start()
        do {
            try archive.extract(entry) { chunk in
                try self.count(chunk.count)
                _ = chunks.put(chunk)  // the parser takes every chunk; it never gives up
            }
            chunks.finish(.success(()))
        } catch {
            chunks.finish(.failure(error))
            parsed.done.wait()
            if let error = error as? SheetError { throw error }
            throw SheetError(.corrupt, "文件“\(fileName)”的共享字符串表已损坏，请重新保存后上传")
        }
        parsed.done.wait()
        if let problem = parsed.problem {
            throw SheetError(.corrupt, "文件“\(fileName)”的共享字符串表（\(path)）内容不完整或已损坏（\(problem)），不能读取；请在 Excel 或 WPS 中打开检查、重新保存后上传")
        }
        sharedStrings = parsed.strings
    }

    private func count(_ bytes: Int) throws(SheetError) {
        uncompressedSoFar += UInt64(bytes)
        if uncompressedSoFar > limits.maxUncompressedBytes {
            throw SheetError(.tooLarge, "文件“\(fileName)”解压后超过 \(limits.maxUncompressedBytes >> 20) MB，拒绝读取（可能是恶意构造的压缩文件）")
        }
    }

    private func checkBomb(_ entry: ZipIntegrity.Entry) throws(SheetError) {
        let compressed = max(entry.compressedSize, 1)
        if entry.uncompressedSize > limits.maxUncompressedBytes
            || (entry.uncompressedSize > 10 << 20 && entry.uncompressedSize / compressed > limits.maxRatio) {
            throw SheetError(.tooLarge, "文件“\(fileName)”的压缩比异常（\(entry.uncompressedSize / compressed):1），拒绝读取（可能是恶意构造的压缩文件）")
        }
    }

    /// A small part (workbook, relationships, styles) whole, checked to be well-formed.
    static func readWhole(_ archive: ZipInflater, _ package: XlsxPackage, _ path: String, fileName: String, limits: Limits) throws(SheetError) -> Data {
        guard let entry = package[path] else {
            throw SheetError(.corrupt, "文件“\(fileName)”不是有效的 Excel 工作簿（缺少 \(path)）")
        }
        guard entry.uncompressedSize < 64 << 20 else {
            throw SheetError(.tooLarge, "文件“\(fileName)”的 \(path) 异常巨大，拒绝读取")
        }
        var data = Data()
        do {
            try archive.extract(entry) { data.append($0) }
        } catch {
            throw SheetError(.corrupt, "文件“\(fileName)”已损坏（无法解压 \(path)）")
        }
        var structure = XMLStructureCheck()
        data.withUnsafeBytes { _ = structure.feed($0.bindMemory(to: UInt8.self)) }
        if let problem = structure.finish() {
            throw SheetError(.corrupt, "文件“\(fileName)”的 \(path) 内容不完整或已损坏（\(problem)），不能读取；请在 Excel 或 WPS 中打开检查、重新保存后上传")
        }
        return data
    }
}

/// Parses `<si>` elements from inflated chunks on a thread of its own, and checks that the
/// part is well-formed: a table cut off in its shared strings would show cells as empty.
private final class SharedStringParser: @unchecked Sendable {
    private(set) var strings: [String] = []
    /// Set when the part is not well-formed (or an `<si>` is absurdly large).
    private(set) var problem: String?
    let done = DispatchSemaphore(value: 0)

    func run(_ chunks: HandOverQueue<Data, Void>) {
        defer { done.signal() }
        var stream: ElementStream?
        var tags = SpreadsheetTags.plain
        var head: [UInt8] = []
        var structure = XMLStructureCheck()
        while true {
            let next: Data?
            do { next = try chunks.take() } catch { return }  // the reading side reports its error
            guard let chunk = next else { break }
            guard problem == nil else { continue }
            if !chunk.withUnsafeBytes({ structure.feed($0.bindMemory(to: UInt8.self)) }) {
                problem = structure.problem
                continue
            }
            if stream == nil {
                head.append(contentsOf: chunk)
                guard let prefix = head.withUnsafeBufferPointer({ XMLBytes.rootPrefix($0) }) ?? (head.count > 1 << 20 ? [] : nil) else { continue }
                tags = SpreadsheetTags(prefix: prefix)
                stream = ElementStream(closing: tags.siClose)
            }
            func handle(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
                let start = XMLBytes.find(tags.siOpen, in: bytes, from: range.lowerBound, to: range.upperBound) ?? range.lowerBound
                strings.append(XMLBytes.joinedTexts(bytes, from: start, to: range.upperBound, tags: tags))
            }
            let fits = head.isEmpty ? stream!.feed(chunk, handle) : stream!.feed(head, handle)
            head = []
            if !fits { problem = "有一项内容超过 \(ElementStream.maxPending >> 20) MB" }
        }
        if problem == nil { problem = structure.finish() }
    }
}
