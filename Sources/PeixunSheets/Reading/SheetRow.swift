import PeixunCore

/// One cell as the file stored it. Numbers keep the text they were written with, so that an
/// ID number swallowed by Excel (`5.10104E+17`) can be recognised and reported.
public enum CellValue: Sendable, Equatable {
    case empty
    case text(String)
    case number(Double, raw: String)
    case bool(Bool)
    case date(CivilDate)

    /// What a person would see in the cell.
    public var text: String {
        switch self {
        case .empty: return ""
        case .text(let value): return value
        case .number(let value, let raw):
            if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
            return raw
        case .bool(let value): return value ? "TRUE" : "FALSE"
        case .date(let date): return date.description
        }
    }

    public var isEmpty: Bool {
        if case .empty = self { return true }
        if case .text(let value) = self {
            // Byte by byte: walking Characters here cost more than parsing the XML.
            return value.utf8.allSatisfy { $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }
                || value.unicodeScalars.allSatisfy(\.properties.isWhitespace)
        }
        return false
    }
}

/// A row with the number Excel shows for it (1-based) and its cells by column (A = 0).
public struct SheetRow: Sendable, Equatable {
    public let number: Int
    public let cells: [CellValue]

    public init(number: Int, cells: [CellValue]) {
        self.number = number
        self.cells = cells
    }

    public subscript(column: Int) -> CellValue { column < cells.count ? cells[column] : .empty }

    public var isBlank: Bool { cells.allSatisfy(\.isEmpty) }
}

/// Column letters as Excel shows them: 0 → A, 25 → Z, 26 → AA.
public enum ColumnName {
    public static func letters(_ index: Int) -> String {
        var number = index + 1
        var result = ""
        while number > 0 {
            let remainder = (number - 1) % 26
            result = String(UnicodeScalar(UInt8(65 + remainder))) + result
            number = (number - 1) / 26
        }
        return result
    }

    /// The column of a cell reference ("AB12" → 27), read from the XML bytes.
    static func column(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        var column = 0
        for index in range {
            let byte = bytes[index]
            // Clamped: a reference of many letters is beyond XFD (and refused), never an overflow.
            if byte >= 65 && byte <= 90 { column = min(column * 26 + Int(byte - 64), 1 << 30) } else if byte == 36 { continue } else { break }
        }
        return column > 0 ? column - 1 : nil
    }

    /// "AB12" → (column 27, row 12).
    static func parse(reference: ArraySlice<UInt8>) -> (column: Int, row: Int)? {
        var column = 0, row = 0, sawLetter = false, sawDigit = false
        for byte in reference {
            switch byte {
            case 65...90 where !sawDigit: column = min(column * 26 + Int(byte - 64), 1 << 30); sawLetter = true
            case 97...122 where !sawDigit: column = min(column * 26 + Int(byte - 96), 1 << 30); sawLetter = true
            case 48...57: row = min(row * 10 + Int(byte - 48), 1 << 30); sawDigit = true
            case 36: continue
            default: return nil
            }
        }
        guard sawLetter else { return nil }
        return (column - 1, sawDigit ? row : 0)
    }
}

/// Why a file was refused. The message names the file and says what to do.
public struct SheetError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case empty = "file.empty"
        case notSpreadsheet = "file.not_spreadsheet"
        case htmlTable = "file.html_table"
        case encrypted = "file.encrypted"
        case corrupt = "file.corrupt"
        case tooLarge = "file.too_large"
        case tooManyRows = "file.too_many_rows"
        case noSheet = "file.no_sheet"
        case missingColumns = "file.missing_columns"
        case encoding = "file.encoding"
        case unsupported = "file.unsupported"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
