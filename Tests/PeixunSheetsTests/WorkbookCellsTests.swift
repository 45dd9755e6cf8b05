import Foundation
import PeixunCore
import Testing
@testable import PeixunSheets

@Suite struct WorkbookCellsTests {
    @Test func everySheetFromA1WithGapsAsEmptyCellsAndNoTrailingEmptyRows() throws {
        let sheets = try CellsCollector.read(fixture("corpus/xlsxwriter-roster.xlsx"))
        #expect(sheets.map(\.name) == ["名册", "成绩", "Sheet3"])
        let roster = sheets[0]
        #expect(roster.rows.count == 9, "rows 1–9: the table starts at C3 and ends with 合计 in row 9")
        #expect(roster.rows[0].isEmpty && roster.rows[1].isEmpty)
        #expect(roster.rows[2].prefix(3) == [.empty, .empty, .text("县(市、区)")])
        #expect(roster.rows[3][8] == .empty, "备注 is empty in row 4, then the date follows")
        #expect(roster.rows[3][9] == .date(CivilDate(year: 2015, month: 9, day: 1)!))
        #expect(roster.rows[5][8] == .text("  前后有空格  "), "stored text is not trimmed")
        #expect(roster.rows[8] == [.empty, .empty, .text("合计：4人")], "rich text runs joined")
        #expect(sheets[2].rows.isEmpty)
    }

    @Test func storedTextIsWhatTheFileHolds() {
        #expect(CellValue.number(1e20, raw: "1e+20").storedText == "1e+20")
        #expect(CellValue.number(15, raw: "15.0").storedText == "15.0")
        #expect(CellValue.bool(false).storedText == "FALSE")
        #expect(CellValue.date(CivilDate(year: 2020, month: 2, day: 29)!).storedText == "2020-02-29")
        #expect(CellValue.text(" 张三\n").storedText == " 张三\n")
        #expect(CellValue.empty.storedText == "")
    }

    @Test func csvIsOneSheetNamedAfterTheFile() throws {
        let sheets = try CellsCollector.read(fixture("roster-gb18030.csv"))
        #expect(sheets.count == 1)
        #expect(sheets[0].name == "roster-gb18030")
        #expect(sheets[0].rows.first?.first == .text("县(市、区)"))
    }

    @Test func jsonEscapesQuotesBackslashesAndControlCharacters() throws {
        var json: [UInt8] = []
        let writer = CellsJSONWriter { json += $0 }
        try writer.beginSheet(named: "表\"1\"")
        try writer.row([.text("a\\b"), .empty, .text("换\n行\t\u{1}"), .number(0.5, raw: "0.5")])
        try writer.row([])
        try writer.endSheet()
        try writer.beginSheet(named: "空")
        try writer.endSheet()
        try writer.finish()
        let text = String(decoding: json, as: UTF8.self)
        #expect(text == """
            {"sheets": [
            {"name": "表\\"1\\"", "rows": [
            ["a\\\\b", "", "换\\n行\\t\\u0001", "0.5"],
            []
            ]},
            {"name": "空", "rows": []}
            ]}

            """)
        let decoded = try JSONDecoder().decode(CellsDocument.self, from: Data(json))
        #expect(decoded.sheets[0].rows[0][2] == "换\n行\t\u{1}")
    }

    @Test func aWorkbookWithoutSheetsIsStillJSON() throws {
        var json: [UInt8] = []
        let writer = CellsJSONWriter { json += $0 }
        try writer.finish()
        #expect(String(decoding: json, as: UTF8.self) == "{\"sheets\": []}\n")
    }

    @Test func absurdSizesAreRefusedInChinese() throws {
        let url = fixture("corpus/openpyxl-roster.xlsx")
        var rows = WorkbookCells.Limits()
        rows.maxRowNumber = 5
        #expect { try CellsCollector.read(url, limits: rows) } throws: { error in
            (error as? SheetError)?.code == .tooManyRows && (error as? SheetError)?.message.contains("超过 Excel 的 5 行上限") == true
        }
        var cells = WorkbookCells.Limits()
        cells.maxCells = 100
        #expect { try CellsCollector.read(url, limits: cells) } throws: { error in
            (error as? SheetError)?.message == "文件“openpyxl-roster.xlsx”的单元格超过 100 个（含空白），不能逐格输出；请拆分后再检查"
        }
        var csv = WorkbookCells.Limits()
        csv.maxCSVBytes = 10
        #expect { try CellsCollector.read(fixture("roster-utf8-bom.csv"), limits: csv) } throws: { error in
            (error as? SheetError)?.code == .tooLarge
        }
    }

    @Test func theLastColumnIsReachedAndNotPassed() throws {
        let sheets = try CellsCollector.read(fixture("corpus/openpyxl-roster.xlsx"))
        let last = try #require(sheets[1].rows.last)
        #expect(last.count == 16_384)
        #expect(last.last == .text("最后一列"))
    }

    @Test func rowsOutOfOrderAreRefused() throws {
        var layout = WorkbookCells.Layout(fileName: "乱序.xlsx", limits: .init(), sink: CellsCollector())
        #expect { try layout.sheet(named: "表1") { body in
            _ = try body(SheetRow(number: 3, cells: [.text("a")]))
            _ = try body(SheetRow(number: 2, cells: [.text("b")]))
        } } throws: { error in
            (error as? SheetError)?.message == "文件“乱序.xlsx”的工作表“表1”第 2 行出现在第 3 行之后（行号顺序错乱），文件可能已损坏；请重新保存后再试"
        }
    }

    @Test func emptyRowsBetweenAreKeptAndAtTheEndDropped() throws {
        let sink = CellsCollector()
        var layout = WorkbookCells.Layout(fileName: "x.xlsx", limits: .init(), sink: sink)
        try layout.sheet(named: "表1") { body in
            _ = try body(SheetRow(number: 2, cells: [.empty, .text("b"), .empty]))
            _ = try body(SheetRow(number: 4, cells: []))
            _ = try body(SheetRow(number: 5, cells: [.number(1, raw: "1")]))
            _ = try body(SheetRow(number: 6, cells: [.empty]))
        }
        #expect(sink.sheets[0].rows == [[], [.empty, .text("b")], [], [], [.number(1, raw: "1")]])
    }
}
