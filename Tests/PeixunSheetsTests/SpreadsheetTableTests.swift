import Foundation
import PeixunCore
import Testing
@testable import PeixunSheets

let rosterSpecs = [
    ColumnSpec(key: "county", label: "县(市、区)", aliases: ["区县", "县区"], required: true),
    ColumnSpec(key: "school", label: "所在学校", aliases: ["学校名称", "学校"], required: true),
    ColumnSpec(key: "stage", label: "学段", required: false),
    ColumnSpec(key: "name", label: "教师姓名", aliases: ["姓名"], required: true),
    ColumnSpec(key: "id", label: "身份证号码", aliases: ["身份证号", "证件号码"], required: true),
    ColumnSpec(key: "phone", label: "联系电话", aliases: ["手机号码", "手机"], required: false),
    ColumnSpec(key: "remarks", label: "备注", required: false),
]

func fixture(_ name: String) -> URL {
    Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil)!
}

func readAll(_ url: URL, name: String? = nil) throws -> (SpreadsheetTable.Opened, [SheetRow]) {
    var rows: [SheetRow] = []
    let opened = try SpreadsheetTable.read(url: url, fileName: name ?? url.lastPathComponent, specs: rosterSpecs) { row, _ in rows.append(row) }
    return (opened, rows)
}

@Suite struct SpreadsheetTableTests {
    @Test(arguments: ["roster-openpyxl.xlsx", "roster-libreoffice.xlsx", "roster-libreoffice.xls"])
    func readsWorkbooksFromDifferentWritersBelowTitleRowsAndAboveNotes(file: String) throws {
        let (opened, rows) = try readAll(fixture(file))
        #expect(opened.sheetName == "花名册", "the first sheet with a recognised header, not 说明")
        #expect(opened.header.rowNumber == 3)
        #expect(opened.header.ignored == ["籍贯"])
        #expect(rows.map(\.number) == [4, 5, 6], "blank rows skipped; reading stops at 备注")
        let columns = opened.header.columns
        #expect(rows[0][columns["name"]!].text == "张伟")
        #expect(rows[0][columns["id"]!].text == "11010519491231002X")
        #expect(rows[1][columns["county"]!].text == "郫县")
        #expect(rows[1][columns["name"]!].text == "阿西木呷")
        if case .number = rows[1][columns["id"]!] {} else { Issue.record("an ID typed as a number stays a number, to be reported") }
        #expect(rows[1][columns["phone"]!].text == "13912345678")
        #expect(rows[2][columns["id"]!].text == "５１０１０４１９９００１０１１２３４")
        #expect(rows[2][columns["county"]!].text == "510104")
    }

    @Test func readsWhatLibxlsxwriterWrites() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/written.xlsx"
        let workbook = try XlsxWorkbook(path: path)
        let sheet = try workbook.addSheet(named: "教师")
        sheet.merge(rows: 0...0, columns: 0...3, "参训合格教师信息反馈(样)表")
        for (column, header) in ["县(市、区)", "教师姓名", "身份证号码", "所在学校"].enumerated() { sheet.write(header, row: 1, column: column) }
        sheet.write("锦江区", row: 2, column: 0)
        sheet.write("<张&三>", row: 2, column: 1)
        sheet.write("11010519491231002X", row: 2, column: 2)
        sheet.write("锦江区实验小学", row: 2, column: 3)
        sheet.write(42, row: 3, column: 1)
        try workbook.close()
        let (opened, rows) = try readAll(URL(fileURLWithPath: path))
        #expect(opened.header.rowNumber == 2)
        #expect(rows.count == 2)
        #expect(rows[0][1].text == "<张&三>")
        #expect(rows[1][1] == .number(42, raw: "42"))
    }

    @Test(arguments: ["roster-gb18030.csv", "roster-utf8-bom.csv"])
    func readsCSVInGB18030AndUTF8WithoutGarblingChinese(file: String) throws {
        let (opened, rows) = try readAll(fixture(file))
        #expect(opened.header.rowNumber == 1)
        #expect(rows.count == 3)
        #expect(rows[0][3].text == "张伟")
        #expect(rows[1][4].text == "5.10124E+17")
        #expect(rows[2][0].text == "凉山州木里县")
        #expect(rows[2][3].text == "\"扎西\"卓玛, 次仁")
    }

    @Test(arguments: [
        ("empty.xlsx", SheetError.Code.empty, "是空文件"),
        ("html-table.xls", .htmlTable, "实际上是网页"),
        ("encrypted.xlsx", .encrypted, "设置了打开密码"),
        ("truncated.xlsx", .corrupt, "已损坏"),
        ("not-a-sheet.xlsx", .notSpreadsheet, "PDF"),
        ("bomb.xlsx", .tooLarge, "恶意构造"),
        ("truncated.xls", .corrupt, "已损坏"),
        // Found by bench/fuzz: overflows a stack buffer inside libfreexl, which runs in its own process.
        ("freexl-overflow.xls", .corrupt, "已损坏"),
        // Found by bench/fuzz: local headers that disagree with the directory made ZIPFoundation loop forever.
        ("zip-header-mismatch.xlsx", .corrupt, "已损坏"),
        // Found by bench/fuzz (issue 12): a deflate stream that ends before its end marker made
        // ZIPFoundation read on to the end of the file and wait there for ever.
        ("deflate-unterminated.xlsx", .corrupt, "已损坏"),
    ])
    func refusesBadFilesWithTheReason(file: String, code: SheetError.Code, phrase: String) {
        do {
            _ = try readAll(fixture(file))
            Issue.record("\(file) was accepted")
        } catch let error as SheetError {
            #expect(error.code == code, "\(file): \(error.message)")
            #expect(error.message.contains(phrase), "\(file): \(error.message)")
            #expect(error.message.contains(file))
        } catch {
            Issue.record("\(file): unexpected \(error)")
        }
    }

    @Test func namesTheMissingRequiredColumns() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/missing.csv"
        try "姓名,联系电话,备注\n张伟,13800138000,\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: SheetError.self) { try readAll(URL(fileURLWithPath: path)) }
        do { _ = try readAll(URL(fileURLWithPath: path)) } catch let error as SheetError {
            #expect(error.code == .missingColumns)
            #expect(error.message.contains("县(市、区)、所在学校、身份证号码"))
        }
    }

    @Test func refusesMoreRowsThanTheLimit() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/many.csv"
        let body = (1...50).map { "锦江区,学校,中小学,张\($0),11010519491231002X" }.joined(separator: "\n")
        try ("县(市、区),所在学校,学段,教师姓名,身份证号码\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        var options = SpreadsheetTable.Options()
        options.limits.maxRows = 20
        #expect(throws: SheetError.self) {
            try SpreadsheetTable.read(url: URL(fileURLWithPath: path), fileName: "many.csv", specs: rosterSpecs, options: options) { _, _ in }
        }
    }

    @Test func excelSerialDatesAndColumnLetters() {
        #expect(ExcelDate.civilDate(serial: 42736, date1904: false) == CivilDate(year: 2017, month: 1, day: 1))
        #expect(ExcelDate.civilDate(serial: 1, date1904: false) == CivilDate(year: 1900, month: 1, day: 1))
        #expect(ExcelDate.isDateFormat("yyyy\"年\"m\"月\"d\"日\""))
        #expect(!ExcelDate.isDateFormat("0.00%"))
        #expect(ColumnName.letters(0) == "A" && ColumnName.letters(25) == "Z" && ColumnName.letters(26) == "AA")
        #expect(ColumnName.parse(reference: ArraySlice(Array("AB12".utf8)))! == (27, 12))
    }
}

@Suite struct CSVTableReaderTests {
    func cells(_ text: String) throws -> [[String]] {
        try CSVTableReader.rows(from: Data(text.utf8), limit: 100).rows.map { $0.cells.map(\.text) }
    }

    @Test func quotedFieldsKeepCommasQuotesLineBreaksAndSpaces() throws {
        #expect(try cells("a,\"b,c\",\"say \"\"hi\"\"\"\n\"two\nlines\",\"  kept  \",x\n") ==
            [["a", "b,c", "say \"hi\""], ["two\nlines", "  kept  ", "x"]])
    }

    @Test func unquotedFieldsLoseSpacesOfEveryKindAtTheirEndsOnly() throws {
        // Ideographic space (U+3000), no-break space, thin space, tab; the space inside stays.
        #expect(try cells("\u{3000}张 伟\u{00A0},\t锦江区\u{2009} ,  \n") == [["张 伟", "锦江区", ""]])
        #expect(try cells("\u{3000}\u{3000}").isEmpty, "a row of spaces only is blank and dropped")
    }

    @Test func everyLineEndingEndsARowAndRowNumbersFollowTheFile() throws {
        let rows = try CSVTableReader.rows(from: Data("a\r\nb\rc\n\nd".utf8), limit: 100).rows
        #expect(rows.map(\.number) == [1, 2, 3, 4, 5] && rows.map { $0.cells.first?.text ?? "" } == ["a", "b", "c", "", "d"])
    }

    @Test func textAfterAClosingQuoteBelongsToTheField() throws {
        #expect(try cells("\"abc\"def,ghi") == [["abcdef", "ghi"]])
        #expect(try cells(" \"not quoted\" ") == [["\"not quoted\""]], "a quote after spaces is a character")
    }

    @Test func invalidUTF8IsReadAsGB18030() throws {
        // "张伟,锦江区" in GB18030.
        let gb: [UInt8] = [0xD5, 0xC5, 0xCE, 0xB0, 0x2C, 0xBD, 0xF5, 0xBD, 0xAD, 0xC7, 0xF8]
        let (rows, encoding) = try CSVTableReader.rows(from: Data(gb), limit: 10)
        #expect(encoding == .gb18030 && rows.first?.cells.map(\.text) == ["张伟", "锦江区"])
        #expect(TextDecoding.isValidUTF8(Array("张伟\u{FFFD}".utf8)) && !TextDecoding.isValidUTF8([0xF0, 0x9F, 0x98, 0x41]))
    }
}
