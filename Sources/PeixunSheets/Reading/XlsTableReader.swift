import CFreeXL
import Foundation
import PeixunCore

/// Reads legacy Excel 97–2003 workbooks (BIFF8 .xls) through libfreexl. The format caps a
/// sheet at 65,536 rows, so the whole workbook in memory is bounded.
public final class XlsTableReader {
    public let fileName: String
    public let sheets: [String]
    private let handle: UnsafeRawPointer
    private let limits: XlsxTableReader.Limits

    public init(url: URL, fileName: String? = nil, limits: XlsxTableReader.Limits = .init()) throws(SheetError) {
        let name = fileName ?? url.lastPathComponent
        self.fileName = name
        self.limits = limits
        var opened: UnsafeRawPointer?
        let status = freexl_open(url.path, &opened)
        guard status == FREEXL_OK, let opened else {
            if let opened { freexl_close(opened) }
            throw Self.refusal(status, fileName: name)
        }
        handle = opened
        var info: UInt32 = 0
        if freexl_get_info(handle, UInt16(FREEXL_BIFF_PASSWORD), &info) == FREEXL_OK, info == UInt32(FREEXL_BIFF_OBFUSCATED) {
            freexl_close(handle)
            throw SheetError(.encrypted, "文件“\(name)”设置了打开密码，请在 Excel 或 WPS 中取消密码后重新上传")
        }
        var count: UInt32 = 0
        guard freexl_get_info(handle, UInt16(FREEXL_BIFF_SHEET_COUNT), &count) == FREEXL_OK else {
            freexl_close(handle)
            throw SheetError(.corrupt, "文件“\(name)”已损坏，无法读取工作表")
        }
        var names: [String] = []
        for index in 0..<min(count, UInt32(UInt16.max)) {
            var text: UnsafePointer<CChar>?
            if freexl_get_worksheet_name(handle, UInt16(index), &text) == FREEXL_OK, let text {
                names.append(String(cString: text))
            } else {
                names.append("Sheet\(index + 1)")
            }
        }
        sheets = names
    }

    deinit { freexl_close(handle) }

    private static func refusal(_ status: Int32, fileName: String) -> SheetError {
        switch status {
        case FREEXL_INSUFFICIENT_MEMORY:
            SheetError(.tooLarge, "文件“\(fileName)”过大，无法读取")
        case FREEXL_INVALID_CFBF_HEADER, FREEXL_CFBF_INVALID_SIGNATURE, FREEXL_BIFF_WORKBOOK_NOT_FOUND:
            SheetError(.notSpreadsheet, "文件“\(fileName)”不是有效的 Excel 97-2003（.xls）工作簿；请用 Excel 或 WPS 打开后另存为 .xlsx 再上传")
        default:
            SheetError(.corrupt, "文件“\(fileName)”已损坏或不完整（.xls 读取错误 \(status)），请重新保存后上传")
        }
    }

    /// Calls `body` with each row of a sheet that has any cell, top to bottom; `body` returns
    /// false to stop.
    public func forEachRow(sheet index: Int, _ body: (SheetRow) throws -> Bool) throws {
        guard freexl_select_active_worksheet(handle, UInt16(index)) == FREEXL_OK else {
            throw SheetError(.noSheet, "文件“\(fileName)”中没有第 \(index + 1) 个工作表")
        }
        var rows: UInt32 = 0
        var columns: UInt16 = 0
        guard freexl_worksheet_dimensions(handle, &rows, &columns) == FREEXL_OK else {
            throw SheetError(.corrupt, "文件“\(fileName)”的工作表“\(sheets[index])”已损坏")
        }
        if Int(rows) > limits.maxRows {
            throw SheetError(.tooManyRows, "文件“\(fileName)”超过 \(limits.maxRows) 行，请拆分后分批导入")
        }
        var value = FreeXL_CellValue()
        for row in 0..<rows {
            var cells: [CellValue] = []
            cells.reserveCapacity(Int(columns))
            for column in 0..<columns {
                guard freexl_get_cell_value(handle, row, column, &value) == FREEXL_OK else {
                    throw SheetError(.corrupt, "文件“\(fileName)”第 \(row + 1) 行第 \(ColumnName.letters(Int(column))) 列无法读取")
                }
                cells.append(cell(value))
            }
            while let last = cells.last, last == .empty { cells.removeLast() }
            if cells.isEmpty { continue }
            if try !body(SheetRow(number: Int(row) + 1, cells: cells)) { return }
        }
    }

    private func cell(_ value: FreeXL_CellValue) -> CellValue {
        switch Int32(value.type) {
        case FREEXL_CELL_INT:
            let number = Double(value.value.int_value)
            return .number(number, raw: String(value.value.int_value))
        case FREEXL_CELL_DOUBLE:
            let number = value.value.double_value
            return .number(number, raw: String(number))
        case FREEXL_CELL_TEXT, FREEXL_CELL_SST_TEXT:
            guard let text = value.value.text_value else { return .empty }
            return .text(String(cString: text))
        case FREEXL_CELL_DATE, FREEXL_CELL_DATETIME:
            guard let text = value.value.text_value else { return .empty }
            let string = String(cString: text)
            let parts = string.prefix(10).split(separator: "-").compactMap { Int($0) }
            if parts.count == 3, let date = CivilDate(year: parts[0], month: parts[1], day: parts[2]) { return .date(date) }
            return .text(string)
        case FREEXL_CELL_TIME:
            guard let text = value.value.text_value else { return .empty }
            return .text(String(cString: text))
        default:
            return .empty
        }
    }
}
