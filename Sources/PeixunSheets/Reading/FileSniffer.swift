import Foundation

/// What a file really is, judged by its first bytes rather than its name: offices rename
/// HTML tables to .xls and save workbooks with the wrong extension.
public enum FileKind: Sendable, Equatable {
    case xlsx
    case xls
    /// An OLE2 container that holds an encrypted OOXML workbook (a password-protected .xlsx).
    case encryptedWorkbook
    case csv
    case html
    case spreadsheetML2003
    case pdf
    case empty
    case binary
    /// Spreadsheet formats of other programs, named so that the refusal says how to convert.
    case openDocumentSpreadsheet
    case xlsb
    case numbers
    case wpsSpreadsheet

    public static func sniff(_ head: Data, fileName: String) -> FileKind {
        let bytes = [UInt8](head.prefix(4096))
        guard !bytes.isEmpty else { return .empty }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            // OpenDocument stores its `mimetype` first and uncompressed; the rest is judged by
            // the workbook reader from the archive's directory.
            if head.range(of: Data("mimetypeapplication/vnd.oasis.opendocument.spreadsheet".utf8)) != nil { return .openDocumentSpreadsheet }
            return .xlsx
        }
        if bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            // WPS 表格's own format is an OLE file too; it is known by its name only.
            let lowered = fileName.lowercased()
            if lowered.hasSuffix(".et") || lowered.hasSuffix(".ett") { return .wpsSpreadsheet }
            // Encrypted OOXML is stored in an OLE2 file with an "EncryptionInfo" stream (UTF-16 name).
            let marker = Array("EncryptionInfo".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
            return head.range(of: Data(marker)) != nil ? .encryptedWorkbook : .xls
        }
        if bytes.starts(with: Array("%PDF".utf8)) { return .pdf }
        let text = String(decoding: bytes.prefix(2048), as: UTF8.self).lowercased()
        let trimmed = text.drop(while: { $0.isWhitespace || $0 == "\u{FEFF}" })
        if trimmed.hasPrefix("<html") || trimmed.hasPrefix("<!doctype html") || trimmed.contains("<table") { return .html }
        if trimmed.hasPrefix("<?xml") && trimmed.contains("urn:schemas-microsoft-com:office:spreadsheet") { return .spreadsheetML2003 }
        if bytes.contains(0) && !(bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF])) { return .binary }
        return .csv
    }

    /// The refusal for kinds that cannot be read, naming what the file really is.
    public func refusal(fileName: String) -> SheetError? {
        switch self {
        case .xlsx, .xls, .csv: nil
        case .empty: SheetError(.empty, "文件“\(fileName)”是空文件")
        case .encryptedWorkbook: SheetError(.encrypted, "文件“\(fileName)”设置了打开密码，请在 Excel 或 WPS 中取消密码后重新上传")
        case .html: SheetError(.htmlTable, "文件“\(fileName)”实际上是网页（HTML 表格），只是扩展名为 .xls；请用 Excel 或 WPS 打开后另存为 .xlsx 再上传")
        case .spreadsheetML2003: SheetError(.unsupported, "文件“\(fileName)”是 Excel 2003 XML 表格，请用 Excel 或 WPS 打开后另存为 .xlsx 再上传")
        case .pdf: SheetError(.notSpreadsheet, "文件“\(fileName)”是 PDF 文档，不是电子表格；请上传 .xlsx、.xls 或 .csv 文件")
        case .binary: SheetError(.notSpreadsheet, "文件“\(fileName)”不是电子表格（无法识别的二进制文件）；请上传 .xlsx、.xls 或 .csv 文件")
        case .openDocumentSpreadsheet:
            SheetError(.unsupported, "文件“\(fileName)”是 OpenDocument 表格（.ods）文件，系统不能直接读取：请用 WPS 或 Excel 打开后“另存为” Excel 工作簿（.xlsx）再导入")
        case .xlsb:
            SheetError(.unsupported, "文件“\(fileName)”是 Excel 二进制工作簿（.xlsb），系统不能直接读取：请用 Excel 或 WPS 打开后“另存为” Excel 工作簿（.xlsx）再导入")
        case .numbers:
            SheetError(.unsupported, "文件“\(fileName)”是苹果 Numbers 表格（.numbers），系统不能直接读取：请在 Numbers 中选择“文件 → 导出为 → Excel”，得到 .xlsx 后再导入")
        case .wpsSpreadsheet:
            SheetError(.unsupported, "文件“\(fileName)”是 WPS 表格（.et）文件，系统不能直接读取：请用 WPS 打开后“另存为” Excel 工作簿（.xlsx）再导入")
        }
    }
}
