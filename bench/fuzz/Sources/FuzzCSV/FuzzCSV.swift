import CFuzzDriver
import Foundation
import PeixunSheets

/// Any bytes as a CSV upload (UTF-8, BOM or GB18030): rows and a header, or a SheetError.
let specs = [
    ColumnSpec(key: "county", label: "县(市、区)", aliases: ["区县"], required: true),
    ColumnSpec(key: "name", label: "教师姓名", aliases: ["姓名"], required: true),
    ColumnSpec(key: "id", label: "身份证号码", aliases: ["身份证号"], required: true),
]

/// SwiftPM calls an executable's entry point FuzzCSV_main on Linux; libFuzzer runs from there.
@_cdecl("FuzzCSV_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, count in fuzz(UnsafeRawPointer(data!), count) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    do {
        let (rows, _) = try CSVTableReader.rows(from: data, limit: 10_000)
        for (index, row) in rows.enumerated() where index > 0 && row.number <= rows[index - 1].number {
            fatalError("row numbers must increase: \(rows[index - 1].number) then \(row.number)")
        }
        if let header = HeaderDetector.detect(in: Array(rows.prefix(HeaderDetector.searchDepth)), specs: specs) {
            _ = HeaderDetector.missing(header, specs: specs)
        }
        // Where the table ends: notes and closing lines (合计：185人).
        for row in rows { _ = HeaderDetector.isNoteRow(row); _ = HeaderDetector.closingWord(row) }
    } catch {
        // SheetError is the only error the reader throws (typed throws).
    }
    return 0
}
