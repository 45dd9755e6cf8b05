import CFuzzDriver
import Foundation
import PeixunSheets

/// Any bytes as an uploaded workbook: the reader either returns rows or refuses the file with
/// a SheetError; a crash, a hang or a sanitizer report is a finding.
let path = "/dev/shm/peixun-fuzz-\(getpid()).xlsx"
let specs = [
    ColumnSpec(key: "county", label: "县(市、区)", aliases: ["区县"], required: true),
    ColumnSpec(key: "name", label: "教师姓名", aliases: ["姓名"], required: true),
    ColumnSpec(key: "id", label: "身份证号码", aliases: ["身份证号"], required: true),
]

/// SwiftPM calls an executable's entry point FuzzXlsx_main on Linux; libFuzzer runs from there.
@_cdecl("FuzzXlsx_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, count in fuzz(UnsafeRawPointer(data!), count) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard FileManager.default.createFile(atPath: path, contents: data) else { return 0 }
    var limits = XlsxTableReader.Limits()
    limits.maxUncompressedBytes = 64 << 20
    var options = SpreadsheetTable.Options()
    options.limits = limits
    for name in ["upload.xlsx", "upload.xls"] {
        do {
            _ = try SpreadsheetTable.read(url: URL(fileURLWithPath: path), fileName: name, specs: specs, options: options) { row, header in
                for column in header.columns.values { _ = row[column].text }
            }
        } catch is SheetError {
        } catch {
            fatalError("not a SheetError: \(error)")
        }
    }
    return 0
}
