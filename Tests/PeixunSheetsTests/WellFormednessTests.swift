import Foundation
import Testing
@testable import PeixunSheets

/// Issue 12: a workbook whose sheet XML stopped in the middle was read as if complete — the
/// rows before the break imported, nothing said that the rest was missing.
@Suite struct WellFormednessTests {
    static let rows = [rosterHeader] + (1...40).map { ["锦江区", "实验小学", "小学", "张\($0)", "11010519491231002X"] }
    static let complete = PackageBuilder.sheet(rows)

    func write(sheet xml: String, _ name: String = "名册.xlsx", sharedStrings: String? = nil) throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory()
        var builder = PackageBuilder.standard(sheets: [("花名册", xml)])
        if let sharedStrings { builder.add("xl/sharedStrings.xml", sharedStrings) }
        let path = directory.path + "/" + name
        try builder.write(to: path)
        return (directory, path)
    }

    @Test func theCompleteSheetIsRead() throws {
        let (directory, path) = try write(sheet: Self.complete)
        let (_, rows) = try readAll(URL(fileURLWithPath: path))
        #expect(rows.count == 40)
        _ = directory
    }

    static func damaged(_ damage: String, _ xml: String) -> String {
        switch damage {
        // Cut right after a row: every row before it is complete, only the closing tags are missing.
        case "after a row": String(xml[..<xml.range(of: "</row>", options: .backwards)!.upperBound])
        case "inside a cell": String(xml.prefix(xml.count / 2))
        case "before </worksheet>": xml.replacingOccurrences(of: "</worksheet>", with: "")
        case "mismatched tags": xml.replacingOccurrences(of: "<row r=\"20\">", with: "<row r=\"20\"><c r=\"Z20\">")
        case "an unclosed element": xml.replacingOccurrences(of: "</is></c></row><row r=\"9\">", with: "</is></row><row r=\"9\">")
        case "content after the root": xml + "<row r=\"41\"/>"
        default: xml.replacingOccurrences(of: "<worksheet", with: "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><worksheet")
        }
    }

    @Test(arguments: ["after a row", "inside a cell", "before </worksheet>", "mismatched tags", "an unclosed element", "content after the root", "a DTD"])
    func aSheetThatIsNotWellFormedIsRefusedNamingTheFileAndTheSheet(damage: String) throws {
        #expect(Self.damaged(damage, Self.complete) != Self.complete)
        let (directory, path) = try write(sheet: Self.damaged(damage, Self.complete))
        var delivered = 0
        do {
            try SpreadsheetTable.read(url: URL(fileURLWithPath: path), fileName: "名册.xlsx", specs: rosterSpecs) { _, _ in delivered += 1 }
            Issue.record("\(damage): accepted with \(delivered) rows")
        } catch let error as SheetError {
            #expect(error.code == .corrupt, "\(damage): \(error.message)")
            #expect(error.message.contains("名册.xlsx") && error.message.contains("工作表“花名册”") && error.message.contains("不完整或已损坏"), "\(damage): \(error.message)")
        }
        _ = directory
    }

    @Test func everyCellReaderSeesTheBreakToo() throws {
        let cut = String(Self.complete[..<Self.complete.range(of: "</row>", options: .backwards)!.upperBound])
        let (directory, path) = try write(sheet: cut)
        let reader = try XlsxTableReader(url: URL(fileURLWithPath: path))
        #expect(throws: SheetError.self) { try reader.forEachRow(sheet: 0) { _ in true } }
        #expect(throws: SheetError.self, "also when the reader stops early") { try reader.forEachRow(sheet: 0) { _ in false } }
        _ = directory
    }

    @Test func aCutSharedStringTableIsRefused() throws {
        let sheet = """
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>\
            <row r="1">\((0..<5).map { "<c r=\"\(ColumnLetters.of($0))1\" t=\"s\"><v>\($0)</v></c>" }.joined())</row>\
            <row r="2">\((5..<10).map { "<c r=\"\(ColumnLetters.of($0 - 5))2\" t=\"s\"><v>\($0)</v></c>" }.joined())</row></sheetData></worksheet>
            """
        let strings = (rosterHeader + ["锦江区", "实验小学", "小学", "张伟", "11010519491231002X"]).map { "<si><t>\($0)</t></si>" }.joined()
        let whole = "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"10\" uniqueCount=\"10\">\(strings)</sst>"
        var builder = PackageBuilder.standard(sheets: [("花名册", sheet)])
        let directory = try TemporaryDirectory()
        let good = directory.path + "/good.xlsx", cut = directory.path + "/cut.xlsx"
        builder.add("xl/sharedStrings.xml", whole)
        try builder.write(to: good)
        #expect(try readAll(URL(fileURLWithPath: good)).1.first?[3].text == "张伟")
        builder.parts[builder.parts.count - 1] = ("xl/sharedStrings.xml", Data(whole.prefix(whole.count - 30).utf8))
        try builder.write(to: cut)
        let error = refusal(cut)
        #expect(error?.code == .corrupt && error?.message.contains("cut.xlsx") == true && error?.message.contains("共享字符串表") == true, "\(error?.message ?? "accepted")")
    }

    /// Chunk boundaries anywhere: the check is fed one byte at a time.
    @Test func theCheckDoesNotDependOnWhereChunksEnd() {
        func check(_ text: String, chunk: Int) -> String? {
            var structure = XMLStructureCheck()
            let bytes = Array(text.utf8)
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + chunk)
                _ = bytes[start..<end].withUnsafeBufferPointer { structure.feed($0) }
                start = end
            }
            return structure.finish()
        }
        let good = "\u{FEFF}<?xml version=\"1.0\"?>\n<!-- a > b --><a x='1>2' y=\"&lt;\"><b/><c>t<![CDATA[<not a tag>]]></c><x:d xmlns:x='u'>&amp;</x:d></a>\n<?pi x?>"
        for chunk in [1, 2, 3, 7, 1000] {
            #expect(check(good, chunk: chunk) == nil, "chunk \(chunk): \(check(good, chunk: chunk) ?? "")")
            #expect(check(String(good.dropLast(12)), chunk: chunk) != nil)
            #expect(check("<a><b></a></b>", chunk: chunk) != nil)
            #expect(check("<a></a><a></a>", chunk: chunk) != nil)
            #expect(check("<a><!-- open", chunk: chunk) != nil)
            #expect(check("", chunk: chunk) != nil)
        }
    }
}
