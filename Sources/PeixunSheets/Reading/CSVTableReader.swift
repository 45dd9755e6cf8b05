import Foundation

/// Reads CSV (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes) into rows.
/// Every field is text: CSV has no types, and an ID that Excel saved as `5.10104E+17` stays
/// as those characters, to be recognised later.
///
/// Parsed on UTF-8 bytes: quotes, commas and line breaks are ASCII and never occur inside a
/// multi-byte character, and a field becomes a `String` once, from its bytes.
///
/// A row holds at most Excel's 16,384 columns and a cell at most Excel's 32,767 characters:
/// a file beyond them is no table an office made, and a 2 MB cell took the row checks minutes
/// (their edit distances are quadratic in the text). It is refused at once, with the place.
public enum CSVTableReader {
    /// Excel's limits: columns per row (A…XFD) and characters per cell.
    public static let maxColumns = 16_384
    public static let maxCellCharacters = 32_767

    public static func rows(from data: Data, limit: Int) throws(SheetError) -> (rows: [SheetRow], encoding: TextDecoding.Encoding) {
        try rows(from: data, limit: limit, fileName: nil)
    }

    /// `fileName`, when given, is named in the refusals.
    public static func rows(from data: Data, limit: Int, fileName: String?) throws(SheetError) -> (rows: [SheetRow], encoding: TextDecoding.Encoding) {
        let (bytes, encoding) = try TextDecoding.utf8Bytes(of: data)
        let file = fileName.map { "文件“\($0)”" } ?? "文件"
        var rows: [SheetRow] = []
        var row: [CellValue] = []
        var field: [UInt8] = []
        field.reserveCapacity(256)
        var quoted = false
        var fieldWasQuoted = false
        var number = 1

        func endField() throws(SheetError) {
            var lower = 0, upper = field.count
            if !fieldWasQuoted {
                while lower < upper, let length = Whitespace.length(in: field, at: lower, before: upper) { lower += length }
                while lower < upper, let length = Whitespace.length(in: field, endingAt: upper, after: lower) { upper -= length }
            }
            guard row.count < maxColumns else {
                throw SheetError(.tooLarge, "\(file)第 \(number) 行超过 \(maxColumns) 列（Excel 的上限），不是名册一类的表格；请检查文件（分隔符、换行）后重新保存再上传")
            }
            if upper - lower > maxCellCharacters {
                let text = String(decoding: field[lower..<upper], as: UTF8.self)
                if text.utf16.count > maxCellCharacters { throw cellTooLong() }
                row.append(.text(text))
            } else {
                row.append(lower == upper ? .empty : .text(String(decoding: field[lower..<upper], as: UTF8.self)))
            }
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
        }
        func cellTooLong() -> SheetError {
            SheetError(.tooLarge, "\(file)第 \(number) 行第 \(row.count + 1) 列（\(ColumnName.letters(row.count)) 列）的内容超过 \(maxCellCharacters) 个字符（Excel 单元格的上限），不像是表格数据；请检查文件（引号、换行）后重新保存再上传")
        }
        /// A field longer than any cell may be is refused while it grows, not after: no
        /// character takes more than 4 bytes.
        func checkFieldLength() throws(SheetError) {
            if field.count > maxCellCharacters * 4 { throw cellTooLong() }
        }
        func endRow() throws(SheetError) {
            try endField()
            if !(row.count == 1 && row[0] == .empty) || !rows.isEmpty || number > 1 {
                rows.append(SheetRow(number: number, cells: row))
            }
            if rows.count > limit {
                throw SheetError(.tooManyRows, "\(file)超过 \(limit) 行的上限，请分成几个文件导入")
            }
            row = []
            number += 1
        }

        let quote: UInt8 = 0x22, comma: UInt8 = 0x2C, carriageReturn: UInt8 = 0x0D, lineFeed: UInt8 = 0x0A
        var index = 0
        let end = bytes.count
        while index < end {
            let byte = bytes[index]
            index += 1
            if quoted {
                if byte == quote {
                    if index < end, bytes[index] == quote {
                        field.append(quote)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                    if field.count & 0xFFFF == 0 { try checkFieldLength() }
                }
                continue
            }
            switch byte {
            case quote where field.isEmpty:
                quoted = true
                fieldWasQuoted = true
            case comma:
                try endField()
            case carriageReturn:
                if index < end, bytes[index] == lineFeed { index += 1 }
                try endRow()
            case lineFeed:
                try endRow()
            default:
                field.append(byte)
                if field.count & 0xFFFF == 0 { try checkFieldLength() }
            }
        }
        if !field.isEmpty || !row.isEmpty { try endRow() }
        while let last = rows.last, last.isBlank { rows.removeLast() }
        return (rows, encoding)
    }

    /// Space characters (Unicode category Zs) and tab, as `CharacterSet.whitespaces` has them,
    /// recognised on UTF-8 bytes at either end of a field.
    enum Whitespace {
        private static let sequences: [[UInt8]] = [
            [0x20], [0x09], [0xC2, 0xA0], [0xE1, 0x9A, 0x80], [0xE2, 0x80, 0xAF], [0xE2, 0x81, 0x9F], [0xE3, 0x80, 0x80],
        ] + (0x80...0x8A).map { [0xE2, 0x80, UInt8($0)] }

        /// The length of the space starting at `start`, or nil.
        static func length(in bytes: [UInt8], at start: Int, before limit: Int) -> Int? {
            let first = bytes[start]
            if first == 0x20 || first == 0x09 { return 1 }
            guard first >= 0xC2 else { return nil }
            return sequences.first { $0.count > 1 && start + $0.count <= limit && bytes[start..<start + $0.count].elementsEqual($0) }?.count
        }

        /// The length of the space ending just before `end`, or nil.
        static func length(in bytes: [UInt8], endingAt end: Int, after limit: Int) -> Int? {
            let last = bytes[end - 1]
            if last == 0x20 || last == 0x09 { return 1 }
            guard last >= 0x80 else { return nil }
            return sequences.first { $0.count > 1 && end - $0.count >= limit && bytes[end - $0.count..<end].elementsEqual($0) }?.count
        }
    }
}
