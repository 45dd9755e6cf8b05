import CFreeXL
import Glibc

/// `peixun-xls sheets FILE` / `peixun-xls rows FILE SHEET MAX_ROWS`: reads a legacy .xls with
/// libfreexl in a process of its own. libfreexl 1.0.6 overflows a stack buffer on some crafted
/// files (found by bench/fuzz), so the server never runs it in its own address space: this
/// process limits its memory and time, prints what it read, and a crash costs only itself.
///
/// Output, one record per line, fields separated by tabs, `\t` `\n` `\r` `\\` escaped:
/// `sheet NAME` · `row NUMBER CELL…` where CELL is `e` (empty), `t…` (text), `n…` (number),
/// `d…` (date YYYY-MM-DD). Exit status: 0 read, 3 encrypted, 4 not an .xls, 5 corrupt, 6 too many rows.
@main
struct XlsDump {
    static func main() {
        var memory = rlimit(rlim_cur: 1 << 30, rlim_max: 1 << 30)
        setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &memory)
        alarm(60)
        let arguments = CommandLine.arguments
        guard arguments.count >= 3 else { fail(2, "usage: peixun-xls sheets FILE | rows FILE SHEET MAX_ROWS") }
        var handle: UnsafeRawPointer?
        let status = freexl_open(arguments[2], &handle)
        guard status == FREEXL_OK, let handle else {
            fail(status == FREEXL_INVALID_CFBF_HEADER || status == FREEXL_CFBF_INVALID_SIGNATURE || status == FREEXL_BIFF_WORKBOOK_NOT_FOUND ? 4 : 5,
                 "freexl_open \(status)")
        }
        var info: UInt32 = 0
        if freexl_get_info(handle, UInt16(FREEXL_BIFF_PASSWORD), &info) == FREEXL_OK, info == UInt32(FREEXL_BIFF_OBFUSCATED) {
            fail(3, "encrypted")
        }
        var output = Output()
        switch arguments[1] {
        case "sheets":
            guard freexl_get_info(handle, UInt16(FREEXL_BIFF_SHEET_COUNT), &info) == FREEXL_OK else { fail(5, "sheet count") }
            for index in 0..<min(info, UInt32(UInt16.max)) {
                var name: UnsafePointer<CChar>?
                output.field("sheet", first: true)
                if freexl_get_worksheet_name(handle, UInt16(index), &name) == FREEXL_OK, let name {
                    output.field(String(cString: name))
                } else {
                    output.field("Sheet\(index + 1)")
                }
                output.endLine()
            }
        case "rows":
            guard arguments.count >= 5, let sheet = UInt16(arguments[3]), let maxRows = UInt32(arguments[4]) else { fail(2, "rows FILE SHEET MAX_ROWS") }
            guard freexl_select_active_worksheet(handle, sheet) == FREEXL_OK else { fail(5, "no sheet \(sheet)") }
            var rows: UInt32 = 0
            var columns: UInt16 = 0
            guard freexl_worksheet_dimensions(handle, &rows, &columns) == FREEXL_OK else { fail(5, "dimensions") }
            if rows > maxRows { fail(6, "\(rows) rows") }
            var value = FreeXL_CellValue()
            for row in 0..<rows {
                var cells: [String] = []
                for column in 0..<columns {
                    guard freexl_get_cell_value(handle, row, column, &value) == FREEXL_OK else { fail(5, "cell \(row) \(column)") }
                    cells.append(cell(value))
                }
                while cells.last == "e" { cells.removeLast() }
                guard !cells.isEmpty else { continue }
                output.field("row", first: true)
                output.field(String(row + 1))
                for text in cells { output.field(text) }
                output.endLine()
            }
        default:
            fail(2, "unknown mode \(arguments[1])")
        }
        output.flush()
        freexl_close(handle)
    }

    static func cell(_ value: FreeXL_CellValue) -> String {
        switch Int32(value.type) {
        case FREEXL_CELL_INT: return "n" + String(value.value.int_value)
        case FREEXL_CELL_DOUBLE: return "n" + String(value.value.double_value)
        case FREEXL_CELL_TEXT, FREEXL_CELL_SST_TEXT, FREEXL_CELL_TIME:
            return value.value.text_value.map { "t" + String(cString: $0) } ?? "e"
        case FREEXL_CELL_DATE, FREEXL_CELL_DATETIME:
            return value.value.text_value.map { "d" + String(cString: $0).prefix(10) } ?? "e"
        default: return "e"
        }
    }

    static func fail(_ status: Int32, _ message: String) -> Never {
        let line = Array("peixun-xls: \(message)\n".utf8)
        _ = write(2, line, line.count)
        exit(status)
    }
}

/// Buffered, escaped output on standard output.
struct Output {
    private var buffer: [UInt8] = []

    mutating func field(_ text: String, first: Bool = false) {
        if !first { buffer.append(9) }
        for byte in text.utf8 {
            switch byte {
            case 9: buffer += [92, 116]
            case 10: buffer += [92, 110]
            case 13: buffer += [92, 114]
            case 92: buffer += [92, 92]
            default: buffer.append(byte)
            }
        }
    }

    mutating func endLine() {
        buffer.append(10)
        if buffer.count > 1 << 16 { flush() }
    }

    mutating func flush() {
        var offset = 0
        while offset < buffer.count {
            let written = buffer[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            guard written > 0 else { exit(7) }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
