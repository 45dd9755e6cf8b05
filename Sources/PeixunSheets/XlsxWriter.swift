import CXlsxWriter
import Foundation

/// How a cell looks. Formats are created once per distinct style and reused.
public struct CellStyle: Hashable, Sendable {
    public enum Alignment: Hashable, Sendable { case general, left, center, right }

    public var bold = false
    public var fontSize: Double = 11
    public var fontName = "宋体"
    public var alignment: Alignment = .general
    public var verticalCenter = true
    public var border = false
    public var wrap = false
    public var numberFormat: String?
    public var background: UInt32?

    public init(bold: Bool = false, fontSize: Double = 11, alignment: Alignment = .general, border: Bool = false,
                wrap: Bool = false, numberFormat: String? = nil, background: UInt32? = nil) {
        self.bold = bold
        self.fontSize = fontSize
        self.alignment = alignment
        self.border = border
        self.wrap = wrap
        self.numberFormat = numberFormat
        self.background = background
    }
}

public struct XlsxError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// A workbook written by libxlsxwriter to a file. Not thread-safe: build it in one task.
public final class XlsxWorkbook {
    private let workbook: UnsafeMutablePointer<lxw_workbook>
    private var formats: [CellStyle: UnsafeMutablePointer<lxw_format>] = [:]
    private var closed = false
    public let path: String

    /// `constantMemory`: rows are flushed as they are written (strings stored inline), for
    /// exports of hundreds of thousands of rows; rows must then be written in order.
    public init(path: String, constantMemory: Bool = false) throws {
        var options = lxw_workbook_options()
        options.constant_memory = constantMemory ? 1 : 0
        guard let workbook = workbook_new_opt(path, &options) else {
            throw XlsxError(description: "无法创建 Excel 文件：\(path)")
        }
        self.workbook = workbook
        self.path = path
    }

    deinit {
        if !closed { workbook_close(workbook) }
    }

    public func addSheet(named name: String) throws -> XlsxSheet {
        guard let sheet = workbook_add_worksheet(workbook, name) else {
            throw XlsxError(description: "无法添加工作表：\(name)")
        }
        return XlsxSheet(sheet: sheet, workbook: self)
    }

    func format(_ style: CellStyle) -> UnsafeMutablePointer<lxw_format> {
        if let existing = formats[style] { return existing }
        let format = workbook_add_format(workbook)!
        format_set_font_name(format, style.fontName)
        format_set_font_size(format, style.fontSize)
        if style.bold { format_set_bold(format) }
        switch style.alignment {
        case .general: break
        case .left: format_set_align(format, UInt8(LXW_ALIGN_LEFT.rawValue))
        case .center: format_set_align(format, UInt8(LXW_ALIGN_CENTER.rawValue))
        case .right: format_set_align(format, UInt8(LXW_ALIGN_RIGHT.rawValue))
        }
        if style.verticalCenter { format_set_align(format, UInt8(LXW_ALIGN_VERTICAL_CENTER.rawValue)) }
        if style.border { format_set_border(format, UInt8(LXW_BORDER_THIN.rawValue)) }
        if style.wrap { format_set_text_wrap(format) }
        if let numberFormat = style.numberFormat { format_set_num_format(format, numberFormat) }
        if let background = style.background { format_set_bg_color(format, background) }
        formats[style] = format
        return format
    }

    public func setProperties(title: String, author: String) {
        title.withCString { titlePointer in
            author.withCString { authorPointer in
                var properties = lxw_doc_properties()
                properties.title = UnsafeMutablePointer(mutating: titlePointer)
                properties.author = UnsafeMutablePointer(mutating: authorPointer)
                workbook_set_properties(workbook, &properties)
            }
        }
    }

    /// Writes the file. The workbook cannot be used afterwards.
    public func close() throws {
        guard !closed else { return }
        closed = true
        let error = workbook_close(workbook)
        guard error == LXW_NO_ERROR else {
            throw XlsxError(description: "写入 Excel 文件失败：" + String(cString: lxw_strerror(error)))
        }
    }
}

/// One worksheet; rows and columns count from 0.
public struct XlsxSheet {
    let sheet: UnsafeMutablePointer<lxw_worksheet>
    let workbook: XlsxWorkbook

    public func write(_ text: String, row: Int, column: Int, style: CellStyle = CellStyle()) {
        worksheet_write_string(sheet, lxw_row_t(row), lxw_col_t(column), text, workbook.format(style))
    }

    public func write(_ number: Double, row: Int, column: Int, style: CellStyle = CellStyle()) {
        worksheet_write_number(sheet, lxw_row_t(row), lxw_col_t(column), number, workbook.format(style))
    }

    public func write(_ number: Int, row: Int, column: Int, style: CellStyle = CellStyle()) {
        write(Double(number), row: row, column: column, style: style)
    }

    public func blank(row: Int, column: Int, style: CellStyle) {
        worksheet_write_blank(sheet, lxw_row_t(row), lxw_col_t(column), workbook.format(style))
    }

    public func merge(rows: ClosedRange<Int>, columns: ClosedRange<Int>, _ text: String, style: CellStyle = CellStyle()) {
        worksheet_merge_range(
            sheet, lxw_row_t(rows.lowerBound), lxw_col_t(columns.lowerBound),
            lxw_row_t(rows.upperBound), lxw_col_t(columns.upperBound), text, workbook.format(style))
    }

    public func setColumns(_ columns: ClosedRange<Int>, width: Double) {
        worksheet_set_column(sheet, lxw_col_t(columns.lowerBound), lxw_col_t(columns.upperBound), width, nil)
    }

    public func setRow(_ row: Int, height: Double) {
        worksheet_set_row(sheet, lxw_row_t(row), height, nil)
    }

    /// A4 landscape, one page wide, header rows repeated on every page, centred.
    public func printA4Landscape(repeatingRows: ClosedRange<Int>? = nil) {
        worksheet_set_landscape(sheet)
        worksheet_set_paper(sheet, 9)
        worksheet_fit_to_pages(sheet, 1, 0)
        worksheet_center_horizontally(sheet)
        worksheet_set_margins(sheet, 0.4, 0.4, 0.6, 0.6)
        if let repeatingRows {
            worksheet_repeat_rows(sheet, lxw_row_t(repeatingRows.lowerBound), lxw_row_t(repeatingRows.upperBound))
        }
        worksheet_set_footer(sheet, "&C第 &P 页，共 &N 页")
    }

    public func freezePanes(row: Int, column: Int) {
        worksheet_freeze_panes(sheet, lxw_row_t(row), lxw_col_t(column))
    }
}
