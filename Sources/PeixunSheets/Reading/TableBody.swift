/// The rows below a header as an importer should see them, the same for .xlsx, .xls and CSV:
/// blank rows skipped; the table ends at its notes (备注, 填表人 …) or at its closing line
/// (合计：185人, 总计); a subtotal line (小计) between blocks is skipped; and a cell merged down a
/// column inside the table (a county written once for its block of rows) is read as its value
/// in every row of the block.
struct TableBody {
    enum Verdict: Equatable {
        case data(SheetRow)
        case skip
        case end
    }

    let headerRow: Int
    let endsAtTotals: Bool
    private var fill: MergeFill

    /// - Parameters:
    ///   - merges: the sheet's merged ranges; only those below the header, in a column the
    ///     header names, and more than one row tall are filled down.
    ///   - endsAtTotals: false for a table whose 合计 rows are data (an importer that checks them).
    init(header: HeaderMatch, merges: [MergedRange], endsAtTotals: Bool) {
        headerRow = header.rowNumber
        self.endsAtTotals = endsAtTotals
        fill = MergeFill(merges, below: header.rowNumber, columns: Set(header.headers.keys).union(header.columns.values))
    }

    mutating func next(_ row: SheetRow) -> Verdict {
        guard row.number > headerRow else { return .skip }
        if HeaderDetector.isNoteRow(row) { return .end }
        if row.isBlank { return .skip }
        if endsAtTotals, let word = HeaderDetector.closingWord(row) { return word == "小计" ? .skip : .end }
        return .data(fill.apply(row))
    }

    /// Whether a table read with `specs` ends at its 合计 line: not when the importer reads a
    /// 合计 (小计, 总计) column itself — a statistics table whose totals it checks row by row.
    static func endsAtTotals(specs: [ColumnSpec]) -> Bool {
        !specs.contains { spec in ([spec.label] + spec.aliases).contains { HeaderDetector.closingWords.contains(HeaderDetector.normalise($0)) } }
    }
}

/// Fills merged blocks down their first column, one block per column at a time.
struct MergeFill {
    /// By first row, last first, so that the next one is popped from the end.
    private var pending: [MergedRange]
    /// Per column: the last row of the block and its value.
    private var active: [Int: (lastRow: Int, value: CellValue)] = [:]

    init(_ ranges: [MergedRange], below headerRow: Int, columns: Set<Int>) {
        pending = ranges.filter { $0.firstRow > headerRow && $0.lastRow > $0.firstRow && columns.contains($0.firstColumn) }
            .sorted { $0.firstRow > $1.firstRow }
    }

    /// `row` with the values of the blocks it lies in; rows must come in order, blank ones left out.
    mutating func apply(_ row: SheetRow) -> SheetRow {
        if pending.isEmpty && active.isEmpty { return row }
        while let next = pending.last, next.firstRow <= row.number {
            pending.removeLast()
            // The block's value stands in its first row; a block whose first row was blank has none.
            guard next.firstRow == row.number, next.lastRow > row.number, !row[next.firstColumn].isEmpty else { continue }
            active[next.firstColumn] = (next.lastRow, row[next.firstColumn])
        }
        guard !active.isEmpty else { return row }
        var cells = row.cells
        for (column, block) in active {
            if block.lastRow < row.number { active[column] = nil; continue }
            guard row[column].isEmpty else { continue }
            if column >= cells.count { cells.append(contentsOf: repeatElement(.empty, count: column - cells.count + 1)) }
            cells[column] = block.value
        }
        return SheetRow(number: row.number, cells: cells)
    }
}
