import Foundation

/// Reads CSV (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes) into rows.
/// Every field is text: CSV has no types, and an ID that Excel saved as `5.10104E+17` stays
/// as those characters, to be recognised later.
public enum CSVTableReader {
    public static func rows(from data: Data, limit: Int) throws(SheetError) -> (rows: [SheetRow], encoding: TextDecoding.Encoding) {
        let (text, encoding) = try TextDecoding.decode(data)
        var rows: [SheetRow] = []
        var row: [CellValue] = []
        var field = ""
        var quoted = false
        var fieldWasQuoted = false
        var number = 1
        var characters = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar?

        func endField() {
            let value = fieldWasQuoted ? field : field.trimmingCharacters(in: .whitespaces)
            row.append(value.isEmpty ? .empty : .text(value))
            field = ""
            fieldWasQuoted = false
        }
        func endRow() throws(SheetError) {
            endField()
            if !(row.count == 1 && row[0] == .empty) || !rows.isEmpty || number > 1 {
                rows.append(SheetRow(number: number, cells: row))
            }
            if rows.count > limit {
                throw SheetError(.tooManyRows, "文件超过 \(limit) 行的上限，请分成几个文件导入")
            }
            row = []
            number += 1
        }

        while let scalar = pending ?? characters.next() {
            pending = nil
            if quoted {
                if scalar == "\"" {
                    if let next = characters.next() {
                        if next == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty:
                quoted = true
                fieldWasQuoted = true
            case ",":
                endField()
            case "\r":
                if let next = characters.next(), next != "\n" { pending = next }
                try endRow()
            case "\n":
                try endRow()
            default:
                field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !row.isEmpty { try endRow() }
        while let last = rows.last, last.isBlank { rows.removeLast() }
        return (rows, encoding)
    }
}
