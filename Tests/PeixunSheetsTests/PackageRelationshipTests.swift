import Foundation
import Testing
@testable import PeixunSheets

/// Issue 12: workbooks that Excel opens were refused because the reader looked for
/// `xl/workbook.xml` by name. Parts are now found through the package relationships (OPC),
/// member names with backslashes are accepted, and other spreadsheet formats are named.
@Suite struct PackageRelationshipTests {
    static let rows = [rosterHeader, ["锦江区", "实验小学", "小学", "张伟", "11010519491231002X"]]

    func read(_ builder: PackageBuilder, _ name: String = "book.xlsx") throws -> [SheetRow] {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/" + name
        try builder.write(to: path)
        return try readAll(URL(fileURLWithPath: path)).1
    }

    @Test func theMainPartIsFoundThroughTheRootRelationshipsWhereverItIs() throws {
        var builder = PackageBuilder()
        builder.add("[Content_Types].xml", PackageBuilder.contentTypes)
        builder.add("_rels/.rels", PackageBuilder.relationships([("rId1", "officeDocument", "/workbook.xml")]))
        builder.add("workbook.xml", PackageBuilder.workbook(sheets: ["说明", "花名册"]))
        // One target relative to the workbook, one absolute; shared strings in a folder of their own.
        builder.add("_rels/workbook.xml.rels", PackageBuilder.relationships([
            ("rId1", "worksheet", "sheets/notes.xml"), ("rId2", "worksheet", "/data/sheets/../roster.xml"),
            ("rId3", "sharedStrings", "strings/shared.xml"),
        ]))
        builder.add("sheets/notes.xml", PackageBuilder.sheet([["请勿修改表头"]]))
        builder.add("data/roster.xml", """
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">\
            \(rosterHeader.enumerated().map { "<c r=\"\(ColumnLetters.of($0.offset))1\" t=\"inlineStr\"><is><t>\($0.element)</t></is></c>" }.joined())</row>\
            <row r="2"><c r="A2" t="s"><v>0</v></c><c r="D2" t="s"><v>1</v></c><c r="E2" t="inlineStr"><is><t>11010519491231002X</t></is></c></row></sheetData></worksheet>
            """)
        builder.add("strings/shared.xml", "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>锦江区</t></si><si><t>张伟</t></si></sst>")
        let rows = try read(builder)
        #expect(rows.count == 1 && rows[0][0].text == "锦江区" && rows[0][3].text == "张伟")
    }

    @Test func memberNamesWithBackslashesAreAccepted() throws {
        var builder = PackageBuilder.standard(sheets: [("花名册", PackageBuilder.sheet(Self.rows))])
        builder.parts = builder.parts.map { ($0.name.replacingOccurrences(of: "/", with: "\\"), $0.content) }
        let directory = try TemporaryDirectory()
        let path = directory.path + "/windows.xlsx"
        try builder.write(to: path)
        #expect(ZipIntegrity.check(URL(fileURLWithPath: path)))
        let (_, rows) = try readAll(URL(fileURLWithPath: path))
        #expect(rows.count == 1 && rows[0][3].text == "张伟")
    }

    @Test func prefixedElementsAsTheOpenXMLSDKWritesThemAreRead() throws {
        let plain = PackageBuilder.sheet(Self.rows)
        let prefixed = plain.replacingOccurrences(of: "<worksheet xmlns=", with: "<x:worksheet xmlns:x=")
            .replacingOccurrences(of: "</worksheet>", with: "</x:worksheet>")
            .replacingOccurrences(of: #"<(/?)(sheetData|row|c|is|t|pageMargins)([ >/])"#, with: "<$1x:$2$3", options: .regularExpression)
        var builder = PackageBuilder.standard(sheets: [("花名册", prefixed)])
        builder.parts[2] = ("xl/workbook.xml", Data("""
            <x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:ns1="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
            <x:sheets><x:sheet name="花名册" sheetId="1" ns1:id="rId1"/></x:sheets></x:workbook>
            """.utf8))
        let rows = try read(builder)
        #expect(rows.count == 1 && rows[0][3].text == "张伟")
    }

    @Test func aPackageWithoutRelationshipsFallsBackToExcelsNames() throws {
        var builder = PackageBuilder.standard(sheets: [("花名册", PackageBuilder.sheet(Self.rows))])
        builder.parts.removeAll { $0.name.hasSuffix(".rels") }
        #expect(try read(builder).count == 1)
    }

    @Test func resolvesTargetsAsOPCDoes() {
        #expect(XlsxPackage.resolve("worksheets/sheet1.xml", from: "xl/workbook.xml") == "xl/worksheets/sheet1.xml")
        #expect(XlsxPackage.resolve("/xl/worksheets/sheet1.xml", from: "xl/workbook.xml") == "xl/worksheets/sheet1.xml")
        #expect(XlsxPackage.resolve("../other/s.xml", from: "xl/workbook.xml") == "other/s.xml")
        #expect(XlsxPackage.resolve("xl/workbook.xml", from: "") == "xl/workbook.xml")
        #expect(XlsxPackage.relationshipsPart(of: "workbook.xml") == "_rels/workbook.xml.rels")
        #expect(XlsxPackage.relationshipsPart(of: "xl/workbook.xml") == "xl/_rels/workbook.xml.rels")
        #expect(XlsxPackage.key("\\XL\\Worksheets\\Sheet%201.xml") == "xl/worksheets/sheet 1.xml")
    }

    @Test func otherSpreadsheetFormatsAreNamedWithHowToConvertThem() throws {
        let directory = try TemporaryDirectory()
        func refusalOf(_ builder: PackageBuilder, _ name: String, stored: Set<String> = []) throws -> SheetError? {
            let path = directory.path + "/" + name
            try builder.write(to: path, stored: stored)
            return refusal(path)
        }
        var ods = PackageBuilder()
        ods.add("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        ods.add("content.xml", "<office:document-content/>")
        ods.add("META-INF/manifest.xml", "<manifest/>")
        let odsError = try refusalOf(ods, "名册.ods", stored: ["mimetype"])
        #expect(odsError?.code == .unsupported && odsError?.message.contains("OpenDocument 表格（.ods）") == true && odsError?.message.contains("另存为") == true)
        // The same file under another name, compressed: found from the archive's directory.
        #expect(try refusalOf(ods, "名册.xlsx")?.message.contains("OpenDocument 表格") == true)

        var xlsb = PackageBuilder()
        xlsb.add("[Content_Types].xml", PackageBuilder.contentTypes)
        xlsb.add("_rels/.rels", PackageBuilder.relationships([("rId1", "officeDocument", "xl/workbook.bin")]))
        xlsb.add("xl/workbook.bin", "binary")
        let xlsbError = try refusalOf(xlsb, "名册.xlsb")
        #expect(xlsbError?.code == .unsupported && xlsbError?.message.contains("名册.xlsb") == true && xlsbError?.message.contains(".xlsb") == true)

        var numbers = PackageBuilder()
        numbers.add("Index/Document.iwa", "binary")
        numbers.add("Metadata/Properties.plist", "plist")
        #expect(try refusalOf(numbers, "名册.numbers")?.message.contains("Numbers") == true)

        var word = PackageBuilder()
        word.add("[Content_Types].xml", PackageBuilder.contentTypes)
        word.add("_rels/.rels", PackageBuilder.relationships([("rId1", "officeDocument", "word/document.xml")]))
        word.add("word/document.xml", "<w:document/>")
        #expect(try refusalOf(word, "名册.xlsx")?.message.contains("Word 文档") == true)

        // WPS 表格's .et is an OLE file like .xls: known by its name.
        let et = directory.path + "/名册.et"
        try FileManager.default.copyItem(at: fixture("roster-libreoffice.xls"), to: URL(fileURLWithPath: et))
        let etError = refusal(et)
        #expect(etError?.code == .unsupported && etError?.message.contains("WPS 表格（.et）") == true)
    }
}
