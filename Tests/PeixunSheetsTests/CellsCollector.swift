import Foundation
@testable import PeixunSheets

/// A sheet as our readers read it, typed.
struct ReadSheet {
    let name: String
    var rows: [[CellValue]]
}

/// Keeps every cell `WorkbookCells` hands over (for small test files).
final class CellsCollector: CellSink {
    var sheets: [ReadSheet] = []

    func beginSheet(named name: String) throws { sheets.append(ReadSheet(name: name, rows: [])) }
    func row(_ cells: [CellValue]) throws { sheets[sheets.count - 1].rows.append(cells) }
    func endSheet() throws {}

    static func read(_ url: URL, limits: WorkbookCells.Limits = .init()) throws -> [ReadSheet] {
        let collector = CellsCollector()
        try WorkbookCells.read(url: url, limits: limits, into: collector)
        return collector.sheets
    }
}
