import Foundation
import PeixunCore
import ZIPFoundation

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
    private let archive: Archive
    private let limits: Limits
    private var sharedStrings: [String] = []
    private var dateStyles: Set<Int> = []
    private var date1904 = false
    private var uncompressedSoFar: UInt64 = 0

    public init(url: URL, fileName: String? = nil, limits: Limits = Limits()) throws(SheetError) {
        self.fileName = fileName ?? url.lastPathComponent
        self.limits = limits
        let name = self.fileName
        let corrupt = SheetError(.corrupt, "文件“\(name)”已损坏或不完整（压缩包无法打开），请重新保存后上传")
        guard ZipIntegrity.check(url) else { throw corrupt }
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw corrupt
        }
        guard archive.makeIterator().next() != nil else { throw corrupt }
        let workbookData = try Self.readWhole(archive, "xl/workbook.xml", fileName: name, limits: limits)
        let relations = (try? Self.readWhole(archive, "xl/_rels/workbook.xml.rels", fileName: name, limits: limits)) ?? Data()
        let (sheets, date1904) = Self.parseWorkbook(workbookData, relations: relations)
        guard !sheets.isEmpty else { throw SheetError(.noSheet, "文件“\(name)”中没有工作表") }
        self.sheets = sheets
        self.date1904 = date1904
        if archive["xl/sharedStrings.xml"] != nil { try loadSharedStrings() }
        if let styles = try? Self.readWhole(archive, "xl/styles.xml", fileName: name, limits: limits) {
            dateStyles = Self.parseDateStyles(styles)
        }
    }

    /// Streams the rows of one sheet (by index into `sheets`), skipping rows with no cells.
    public func forEachRow(sheet index: Int, _ body: (SheetRow) throws -> Bool) throws {
        let path = sheets[index].path
        guard let entry = archive[path] else {
            throw SheetError(.corrupt, "文件“\(fileName)”缺少工作表“\(sheets[index].name)”的内容，文件可能已损坏")
        }
        try checkBomb(entry)
        var stream = ElementStream(closing: "</row>")
        var nextRowNumber = 1
        var rows = 0
        var stop = false
        var failure: (any Error)?
        var inflated = 0
        let total = max(1, Double(entry.uncompressedSize))
        do {
            _ = try archive.extract(entry, bufferSize: 1 << 16, skipCRC32: true) { chunk in
                guard !stop else { return }
                try self.count(chunk.count)
                inflated += chunk.count
                self.progress?.reached(fraction: Double(inflated) / total)
                try stream.feed(chunk) { bytes, range in
                    guard !stop else { return }
                    guard let row = self.parseRow(bytes, range, defaultNumber: nextRowNumber) else { return }
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
            }
        } catch let error as SheetError {
            throw error
        } catch {
            if let failure { throw failure }
            throw SheetError(.corrupt, "文件“\(fileName)”在读取工作表时出错（\(error.localizedDescription)），文件可能不完整")
        }
        if let failure { throw failure }
    }

    // MARK: Rows

    private static let rowOpen = Array("<row".utf8)
    private static let cellOpen = Array("<c".utf8)
    private static let cellClose = Array("</c>".utf8)
    private static let valueOpen = Array("<v>".utf8)
    private static let valueClose = Array("</v>".utf8)
    private static let inlineOpen = Array("<is>".utf8)
    private static let inlineClose = Array("</is>".utf8)
    private static let rAttribute = Array("r".utf8)
    private static let tAttribute = Array("t".utf8)
    private static let sAttribute = Array("s".utf8)

    private func parseRow(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, defaultNumber: Int) -> SheetRow? {
        guard let rowStart = XMLBytes.find(Self.rowOpen, in: bytes, from: range.lowerBound, to: range.upperBound),
              let tagEnd = XMLBytes.find([UInt8(ascii: ">")], in: bytes, from: rowStart, to: range.upperBound) else { return nil }
        var number = defaultNumber
        if let r = XMLBytes.attribute(Self.rAttribute, in: bytes, from: rowStart + 4, to: tagEnd), let value = XMLBytes.integer(bytes, r) {
            number = value
        }
        var cells: [CellValue] = []
        cells.reserveCapacity(16)
        var index = tagEnd + 1
        var nextColumn = 0
        let end = range.upperBound
        let cellOpen = Self.cellOpen, cellClose = Self.cellClose
        let rAttribute = Self.rAttribute, tAttribute = Self.tAttribute, sAttribute = Self.sAttribute
        while let open = XMLBytes.find(cellOpen, in: bytes, from: index, to: end) {
            let after = bytes[open + 2]
            guard after == 32 || after == UInt8(ascii: ">") || after == UInt8(ascii: "/") else { index = open + 2; continue }
            guard let startTagEnd = XMLBytes.find([UInt8(ascii: ">")], in: bytes, from: open, to: end) else { break }
            var column = nextColumn
            if let r = XMLBytes.attribute(rAttribute, in: bytes, from: open + 2, to: startTagEnd),
               let parsed = ColumnName.column(bytes, r) {
                column = parsed
            }
            let type = XMLBytes.attribute(tAttribute, in: bytes, from: open + 2, to: startTagEnd).map { CellType(bytes, $0) } ?? .number
            let style = XMLBytes.attribute(sAttribute, in: bytes, from: open + 2, to: startTagEnd).flatMap { XMLBytes.integer(bytes, $0) }
            var value = CellValue.empty
            if bytes[startTagEnd - 1] == UInt8(ascii: "/") {
                index = startTagEnd + 1
            } else {
                guard let close = XMLBytes.find(cellClose, in: bytes, from: startTagEnd, to: end) else { break }
                value = cellValue(bytes, contentStart: startTagEnd + 1, contentEnd: close, type: type, style: style)
                index = close + cellClose.count
            }
            if column >= 0, column < 16_384 {
                if column >= cells.count { cells.append(contentsOf: repeatElement(.empty, count: column - cells.count + 1)) }
                cells[column] = value
            }
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

    private func cellValue(_ bytes: UnsafeBufferPointer<UInt8>, contentStart: Int, contentEnd: Int, type: CellType, style: Int?) -> CellValue {
        if type == .inlineString {
            guard let open = XMLBytes.find(Self.inlineOpen, in: bytes, from: contentStart, to: contentEnd) else { return .empty }
            let close = XMLBytes.find(Self.inlineClose, in: bytes, from: open, to: contentEnd) ?? contentEnd
            let text = XMLBytes.joinedTexts(bytes, from: open, to: close)
            return text.isEmpty ? .empty : .text(text)
        }
        guard let open = XMLBytes.find(Self.valueOpen, in: bytes, from: contentStart, to: contentEnd),
              let close = XMLBytes.find(Self.valueClose, in: bytes, from: open, to: contentEnd) else { return .empty }
        let valueRange = (open + Self.valueOpen.count)..<close
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
        guard let entry = archive["xl/sharedStrings.xml"] else { return }
        try checkBomb(entry)
        let chunks = HandOverQueue<Data, Void>(capacity: 32)
        let parsed = SharedStringParser()
        let parser = Thread { parsed.run(chunks) }
        parser.stackSize = 8 << 20
        parser.start()
        do {
            _ = try archive.extract(entry, bufferSize: 1 << 16, skipCRC32: true) { chunk in
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
        sharedStrings = parsed.strings
    }

    private func count(_ bytes: Int) throws(SheetError) {
        uncompressedSoFar += UInt64(bytes)
        if uncompressedSoFar > limits.maxUncompressedBytes {
            throw SheetError(.tooLarge, "文件“\(fileName)”解压后超过 \(limits.maxUncompressedBytes >> 20) MB，拒绝读取（可能是恶意构造的压缩文件）")
        }
    }

    private func checkBomb(_ entry: Entry) throws(SheetError) {
        let compressed = max(entry.compressedSize, 1)
        if entry.uncompressedSize > limits.maxUncompressedBytes
            || (entry.uncompressedSize > 10 << 20 && entry.uncompressedSize / compressed > limits.maxRatio) {
            throw SheetError(.tooLarge, "文件“\(fileName)”的压缩比异常（\(entry.uncompressedSize / compressed):1），拒绝读取（可能是恶意构造的压缩文件）")
        }
    }

    private static func readWhole(_ archive: Archive, _ path: String, fileName: String, limits: Limits) throws(SheetError) -> Data {
        guard let entry = archive[path] else {
            throw SheetError(.corrupt, "文件“\(fileName)”不是有效的 Excel 工作簿（缺少 \(path)）")
        }
        guard entry.uncompressedSize < 64 << 20 else {
            throw SheetError(.tooLarge, "文件“\(fileName)”的 \(path) 异常巨大，拒绝读取")
        }
        var data = Data()
        do {
            _ = try archive.extract(entry, skipCRC32: true) { data.append($0) }
        } catch {
            throw SheetError(.corrupt, "文件“\(fileName)”已损坏（无法解压 \(path)）")
        }
        return data
    }
}

/// Parses `<si>` elements from inflated chunks on a thread of its own.
private final class SharedStringParser: @unchecked Sendable {
    private(set) var strings: [String] = []
    let done = DispatchSemaphore(value: 0)

    func run(_ chunks: HandOverQueue<Data, Void>) {
        defer { done.signal() }
        var stream = ElementStream(closing: "</si>")
        let siOpen = Array("<si".utf8)
        while let chunk = try? chunks.take() {
            stream.feed(chunk) { bytes, range in
                let start = XMLBytes.find(siOpen, in: bytes, from: range.lowerBound, to: range.upperBound) ?? range.lowerBound
                strings.append(XMLBytes.joinedTexts(bytes, from: start, to: range.upperBound))
            }
        }
    }
}
