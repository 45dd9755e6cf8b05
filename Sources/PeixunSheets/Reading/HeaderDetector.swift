/// A column a table must or may have, with the names offices give it.
public struct ColumnSpec: Sendable, Hashable {
    public let key: String
    public let label: String
    public let aliases: [String]
    public let required: Bool

    public init(key: String, label: String, aliases: [String] = [], required: Bool) {
        self.key = key
        self.label = label
        self.aliases = aliases
        self.required = required
    }
}

/// Where the header row is and which column holds what.
public struct HeaderMatch: Sendable, Equatable {
    /// The header's row number as Excel shows it.
    public let rowNumber: Int
    public let columns: [String: Int]
    /// Columns whose header names nothing we know, by their header text.
    public let ignored: [String]
    /// The header text of each column, for error messages.
    public let headers: [Int: String]
}

/// Finds the header row below title and meta rows (参训合格教师信息反馈(样)表, 市(州)教育行政部门(盖章))
/// by the column names it recognises, and knows where the table's notes begin.
public enum HeaderDetector {
    public static let searchDepth = 30
    /// Longer cells are never taken for a column name.
    static let maxHeaderBytes = 256

    public static func normalise(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case " ", "\u{3000}", "\t", "\n", "\r", "*", "＊", ":", "：": continue
            case "（": result.unicodeScalars.append("(")
            case "）": result.unicodeScalars.append(")")
            case "、": result.unicodeScalars.append("、")
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    public static func detect(in rows: [SheetRow], specs: [ColumnSpec]) -> HeaderMatch? {
        var lookup: [String: String] = [:]
        for spec in specs {
            for name in [spec.label] + spec.aliases { lookup[normalise(name)] = spec.key }
        }
        var best: (row: SheetRow, columns: [String: Int])?
        for row in rows.prefix(searchDepth) {
            var columns: [String: Int] = [:]
            for (index, cell) in row.cells.enumerated() {
                // A column name is short: a cell of thousands of characters is data (and took
                // a second to normalise in a 60 MB one-line file).
                guard case .text(let text) = cell, text.utf8.count <= maxHeaderBytes else { continue }
                if let key = lookup[normalise(text)], columns[key] == nil { columns[key] = index }
            }
            if columns.count >= 2, columns.count > (best?.columns.count ?? 0) { best = (row, columns) }
        }
        guard let best else { return nil }
        var headers: [Int: String] = [:]
        var ignored: [String] = []
        let known = Set(best.columns.values)
        for (index, cell) in best.row.cells.enumerated() where !cell.isEmpty {
            headers[index] = cell.text.trimmingCharacters(in: .whitespaces)
            if !known.contains(index) { ignored.append(cell.text.trimmingCharacters(in: .whitespaces)) }
        }
        return HeaderMatch(rowNumber: best.row.number, columns: best.columns, ignored: ignored, headers: headers)
    }

    public static func missing(_ match: HeaderMatch, specs: [ColumnSpec]) -> [ColumnSpec] {
        specs.filter { $0.required && match.columns[$0.key] == nil }
    }

    /// 备注：…, 注：…, 说明：…, 填表人 … — the notes under a table, where reading stops.
    public static func isNoteRow(_ row: SheetRow) -> Bool {
        guard let cell = row.cells.first(where: { !$0.isEmpty }), case .text(let text) = cell else { return false }
        let first = text.utf8.drop { $0 == 32 || $0 == 9 }
        return noteMarkers.contains { first.starts(with: $0) }
    }

    /// The words of a closing line: 合计：185人, 总计, 小计, 共计.
    public static let closingWords = ["合计", "总计", "小计", "共计"]

    /// The closing word when `row` is a closing line below a table: its first non-empty cell
    /// begins with 合计, 总计, 小计 or 共计 (spaces inside ignored: 合　计), and the other cells
    /// are empty or numbers (185, 185人), with at most one other text.
    public static func closingWord(_ row: SheetRow) -> String? {
        guard let first = row.cells.firstIndex(where: { !$0.isEmpty }), case .text(let text) = row.cells[first],
              text.utf8.count <= 120 else { return nil }
        let compact = normalise(text).filter { !$0.isWhitespace }
        guard let word = closingWords.first(where: { compact.hasPrefix($0) }) else { return nil }
        var texts = 0
        for cell in row.cells[(first + 1)...] where !cell.isEmpty {
            if case .number = cell { continue }
            if isCount(cell.text) { continue }
            texts += 1
            if texts > 1 { return nil }
        }
        return word
    }

    /// 185, 185人, 1,234, 12.5%.
    private static func isCount(_ text: String) -> Bool {
        var digits = 0
        for scalar in text.unicodeScalars {
            switch scalar {
            case "0"..."9": digits += 1
            case ",", ".", "%", " ", "\u{3000}", "人", "名", "个", "所", "项", "次", "元", "（", "）", "(", ")": continue
            default: return false
            }
        }
        return digits > 0
    }

    private static let noteMarkers = ["备注", "注：", "注:", "说明", "填表说明", "填表人", "审核人"].map { Array($0.utf8) }
}

import Foundation
