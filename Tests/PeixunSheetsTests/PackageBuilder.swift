import Foundation
import ZIPFoundation
@testable import PeixunSheets

/// Writes small .xlsx packages (and other zips) for tests, part by part, so that each odd
/// layout a test needs is built here rather than committed as a binary.
struct PackageBuilder {
    var parts: [(name: String, content: Data)] = []

    mutating func add(_ name: String, _ content: String) { parts.append((name, Data(content.utf8))) }
    mutating func add(_ name: String, data: Data) { parts.append((name, data)) }

    /// Writes the archive; `stored` parts are not compressed (OpenDocument's `mimetype`).
    func write(to path: String, stored: Set<String> = []) throws {
        try? FileManager.default.removeItem(atPath: path)
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for (name, content) in parts {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(content.count),
                                 compressionMethod: stored.contains(name) ? .none : .deflate) { position, size in
                content.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }

    static let contentTypes = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>
        """

    static func relationships(_ entries: [(id: String, kind: String, target: String)]) -> String {
        let items = entries.map { entry -> String in
            let base = entry.kind == "officeDocument" ? "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
                : "http://schemas.openxmlformats.org/officeDocument/2006/relationships/\(entry.kind)"
            return "<Relationship Id=\"\(entry.id)\" Type=\"\(base)\" Target=\"\(entry.target)\"/>"
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\(items.joined())</Relationships>"
    }

    static func workbook(sheets: [String]) -> String {
        let items = sheets.enumerated().map { "<sheet name=\"\($0.element)\" sheetId=\"\($0.offset + 1)\" r:id=\"rId\($0.offset + 1)\"/>" }
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>\(items.joined())</sheets></workbook>
            """
    }

    /// A worksheet of inline strings (an empty string leaves the cell out), rows from row 1.
    static func sheet(_ rows: [[String]], merges: [String] = []) -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
        for (index, row) in rows.enumerated() {
            xml += "<row r=\"\(index + 1)\">"
            for (column, text) in row.enumerated() where !text.isEmpty {
                let escaped = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                xml += "<c r=\"\(ColumnLetters.of(column))\(index + 1)\" t=\"inlineStr\"><is><t>\(escaped)</t></is></c>"
            }
            xml += "</row>"
        }
        xml += "</sheetData>"
        if !merges.isEmpty {
            xml += "<mergeCells count=\"\(merges.count)\">" + merges.map { "<mergeCell ref=\"\($0)\"/>" }.joined() + "</mergeCells>"
        }
        return xml + "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></worksheet>"
    }

    /// The usual Excel layout: xl/workbook.xml, one sheet per entry, no shared strings.
    static func standard(sheets: [(name: String, xml: String)]) -> PackageBuilder {
        var builder = PackageBuilder()
        builder.add("[Content_Types].xml", contentTypes)
        builder.add("_rels/.rels", relationships([("rId1", "officeDocument", "xl/workbook.xml")]))
        builder.add("xl/workbook.xml", workbook(sheets: sheets.map(\.name)))
        builder.add("xl/_rels/workbook.xml.rels", relationships(sheets.indices.map { ("rId\($0 + 1)", "worksheet", "worksheets/sheet\($0 + 1).xml") }))
        for (index, sheet) in sheets.enumerated() { builder.add("xl/worksheets/sheet\(index + 1).xml", sheet.xml) }
        return builder
    }
}

enum ColumnLetters {
    static func of(_ index: Int) -> String {
        var number = index + 1
        var result = ""
        while number > 0 {
            result = String(UnicodeScalar(UInt8(65 + (number - 1) % 26))) + result
            number = (number - 1) / 26
        }
        return result
    }
}

/// The roster header and a few good rows, as offices send them.
let rosterHeader = ["县(市、区)", "所在学校", "学段", "教师姓名", "身份证号码"]

/// Reads a file written by a test with the roster specs; the refusal when there is one.
func refusal(_ path: String, name: String? = nil, options: SpreadsheetTable.Options = .init()) -> SheetError? {
    do {
        try SpreadsheetTable.read(url: URL(fileURLWithPath: path), fileName: name ?? (path as NSString).lastPathComponent,
                                  specs: rosterSpecs, options: options) { _, _ in }
        return nil
    } catch let error as SheetError {
        return error
    } catch {
        return SheetError(.corrupt, "unexpected \(error)")
    }
}
