import Foundation
import PeixunCore
@testable import PeixunSheets

/// Compares our readers' cells with calamine's, cell by cell from A1 over both extents.
///
/// What "the same" means, by the type calamine read:
/// - string: our cell is text with exactly the same Unicode scalars (not just canonically
///   equivalent; no trimming, no normalisation) — or, for an ISO 8601 date-time (a `t="d"`
///   cell, which python-calamine returns as its text), a date with the same calendar day.
/// - number: our cell is a number whose stored text parses to the same Double, exactly
///   (`15` and calamine's 15.0; `1e+20`; `0.30000000000000004`).
/// - boolean: our cell is the same boolean.
/// - date or date-time: our cell is a date with the same calendar day; the time of day is not
///   compared (our reader keeps dates only, which is all a roster holds).
/// - time of day (a serial below 1 in a date format): our cell is that serial as a number,
///   within a millisecond (the .xlsx reader has no time type and keeps the number), or the
///   same HH:MM:SS text (the .xls reader hands times over as text).
/// - duration (an elapsed-time format such as `[h]:mm:ss`): our cell is that serial as a
///   number, within a millisecond.
/// - empty: our cell is empty, or one of Excel's error values (`#DIV/0!` …), because
///   python-calamine hands error cells over as "".
enum CellComparison {
    static let excelErrors: Set<String> = [
        "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
        "#SPILL!", "#CALC!", "#BLOCKED!", "#FIELD!", "#UNKNOWN!", "#CONNECT!", "#BUSY!", "#EXTERNAL!", "#PYTHON!",
    ]

    /// Every cell that differs, named like `Sheet1!B3`, with both readings.
    static func differences(ours: [ReadSheet], calamine: CellsDocument) -> [String] {
        var found: [String] = []
        if ours.map(\.name) != calamine.sheets.map(\.name) {
            found.append("sheets: ours \(ours.map(\.name)), calamine \(calamine.sheets.map(\.name))")
        }
        for (sheet, theirs) in zip(ours, calamine.sheets) {
            let rowCount = max(sheet.rows.count, theirs.rows.count)
            for row in 0..<rowCount {
                let mine = row < sheet.rows.count ? sheet.rows[row] : []
                let texts = row < theirs.rows.count ? theirs.rows[row] : []
                let types = row < (theirs.types?.count ?? 0) ? theirs.types![row] : texts.map { $0.isEmpty ? "" : "s" }
                for column in 0..<max(mine.count, texts.count) {
                    let cell = column < mine.count ? mine[column] : .empty
                    let text = column < texts.count ? texts[column] : ""
                    let type = column < types.count ? types[column] : ""
                    if let problem = difference(cell, text: text, type: type) {
                        found.append("\(theirs.name)!\(ColumnName.letters(column))\(row + 1): \(problem)")
                    }
                }
            }
        }
        return found
    }

    /// Why `cell` is not what calamine read as `text` of `type`, or nil when it is.
    static func difference(_ cell: CellValue, text: String, type: String) -> String? {
        let described = "ours \(describe(cell)), calamine \(type.isEmpty ? "empty" : type) \(quoted(text))"
        switch (type, cell) {
        case ("", .empty):
            return nil
        case ("", .text(let value)) where excelErrors.contains(value):
            return nil
        case ("s", .text(let value)):
            return value.unicodeScalars.elementsEqual(text.unicodeScalars) ? nil : described
        case ("s", .date(let date)):
            // A `t="d"` cell: python-calamine hands its ISO 8601 text over as a string.
            let day = date.description
            return text == day || text.hasPrefix(day + "T") ? nil : described
        case ("n", .number(let value, _)):
            return Double(text) == value ? nil : described
        case ("b", .bool(let value)):
            return (text == "TRUE") == value ? nil : described
        case ("d", .date(let date)):
            return date.description == String(text.prefix(10)) ? nil : described
        case ("t", .number(let value, _)):
            guard let seconds = secondsOfDay(text) else { return described }
            return abs(value * 86_400 - seconds) < 0.001 ? nil : described
        case ("t", .text(let value)):
            return value == text ? nil : described
        case ("u", .number(let value, _)):
            guard let seconds = Double(text) else { return described }
            return abs(value * 86_400 - seconds) < 0.001 ? nil : described
        default:
            return described
        }
    }

    /// "08:30:15.500000" → 30615.5.
    static func secondsOfDay(_ text: String) -> Double? {
        let parts = text.split(separator: ":")
        guard parts.count == 3, let hours = Double(parts[0]), let minutes = Double(parts[1]), let seconds = Double(parts[2]) else { return nil }
        return hours * 3600 + minutes * 60 + seconds
    }

    static func describe(_ cell: CellValue) -> String {
        switch cell {
        case .empty: "empty"
        case .text(let value): "text \(quoted(value))"
        case .number(_, let raw): "number \(raw)"
        case .bool(let value): "boolean \(value)"
        case .date(let date): "date \(date)"
        }
    }

    static func quoted(_ text: String) -> String {
        let shown = text.count > 60 ? String(text.prefix(60)) + "…" : text
        return "\"" + shown.unicodeScalars.map { $0.value < 32 ? String(format: "\\u%04x", $0.value) : String($0) }.joined() + "\""
    }
}
