import Foundation
import Testing
@testable import PeixunSheets

/// Issue 12: offices merge a county down its block of rows and close the table with a line
/// such as 合计：185人. The same for .xlsx and CSV (.xls: libfreexl reports no merged cells).
@Suite struct OfficeLayoutTests {
    @Test func aCountyMergedDownItsBlockIsReadOnEveryRowOfTheBlock() throws {
        let rows: [[String]] = [
            ["四川省中小学教师花名册"],
            rosterHeader,
            ["锦江区", "实验小学", "小学", "张一", "11010519491231002X"],
            ["", "实验小学", "小学", "张二", "11010519491231002X"],
            ["", "实验小学", "小学", "张三", "11010519491231002X"],
            ["青羊区", "草堂小学", "小学", "李四", "11010519491231002X"],
            ["", "草堂小学", "小学", "李五", "11010519491231002X"],
            ["", "草堂小学", "小学", "", ""],
            ["合计：6人"],
        ]
        // The title is merged across the header's width; the counties down their blocks.
        let xml = PackageBuilder.sheet(rows, merges: ["A1:E1", "A3:A5", "A6:A7"])
        let directory = try TemporaryDirectory()
        let path = directory.path + "/merged.xlsx"
        try PackageBuilder.standard(sheets: [("花名册", xml)]).write(to: path)
        let (opened, read) = try readAll(URL(fileURLWithPath: path))
        #expect(opened.header.rowNumber == 2)
        #expect(read.map(\.number) == [3, 4, 5, 6, 7, 8], "the 合计 line ends the table")
        #expect(read.map { $0[0].text } == ["锦江区", "锦江区", "锦江区", "青羊区", "青羊区", ""], "row 8 lies outside the block")
        #expect(read.map { $0[3].text } == ["张一", "张二", "张三", "李四", "李五", ""])
    }

    @Test func aMergedBlockReachingIntoTheHeaderIsLeftAsItIs() throws {
        let rows: [[String]] = [rosterHeader, ["锦江区", "实验小学", "小学", "张一", "11010519491231002X"], ["", "实验小学", "小学", "张二", "1"]]
        let directory = try TemporaryDirectory()
        let path = directory.path + "/header-merge.xlsx"
        try PackageBuilder.standard(sheets: [("花名册", PackageBuilder.sheet(rows, merges: ["A1:A3"]))]).write(to: path)
        let (_, read) = try readAll(URL(fileURLWithPath: path))
        #expect(read.map { $0[0].text } == ["锦江区", ""])
    }

    @Test(arguments: ["合计：185人", "合计", "合　计", " 总计 ", "共计185人"])
    func aClosingLineEndsTheTable(line: String) throws {
        let csv = "县(市、区),所在学校,学段,教师姓名,身份证号码\n锦江区,实验小学,小学,张伟,11010519491231002X\n\(line),,,185,185人\n填表人：王五,,,,\n"
        let directory = try TemporaryDirectory()
        let path = directory.path + "/closing.csv"
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        let (_, rows) = try readAll(URL(fileURLWithPath: path))
        #expect(rows.map(\.number) == [2])
    }

    @Test func aSubtotalBetweenBlocksIsSkippedAndTheRowsBelowItAreRead() throws {
        let csv = """
            县(市、区),所在学校,学段,教师姓名,身份证号码
            锦江区,实验小学,小学,张伟,11010519491231002X
            小计,,,1,
            青羊区,草堂小学,小学,李四,11010519491231002X
            合计,,,2,
            """
        let directory = try TemporaryDirectory()
        let path = directory.path + "/subtotal.csv"
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        let (_, rows) = try readAll(URL(fileURLWithPath: path))
        #expect(rows.map(\.number) == [2, 4])
    }

    @Test func aRowThatOnlyBeginsWithTheWordIsData() {
        #expect(HeaderDetector.closingWord(SheetRow(number: 5, cells: [.text("合计"), .text("实验小学"), .text("张伟")])) == nil)
        #expect(HeaderDetector.closingWord(SheetRow(number: 5, cells: [.empty, .text("合计："), .number(185, raw: "185"), .text("人")])) == "合计")
        #expect(HeaderDetector.closingWord(SheetRow(number: 5, cells: [.number(1, raw: "1"), .text("合计")])) == nil, "a 序号 first: a data row")
    }

    /// The official-count import checks its 合计 and 小计 rows itself: a table read with a 合计
    /// column hands them over.
    @Test func aTableWithATotalColumnKeepsItsTotalRows() throws {
        let specs = [
            ColumnSpec(key: "county", label: "县(市、区)", required: true),
            ColumnSpec(key: "count", label: "专任教师数", required: false),
            ColumnSpec(key: "total", label: "合计", aliases: ["总计", "小计"], required: false),
        ]
        let directory = try TemporaryDirectory()
        let path = directory.path + "/counts.csv"
        try "县(市、区),专任教师数\n锦江区,5\n合计,5\n".write(toFile: path, atomically: true, encoding: .utf8)
        var read: [Int] = []
        try SpreadsheetTable.read(url: URL(fileURLWithPath: path), fileName: "counts.csv", specs: specs) { row, _ in read.append(row.number) }
        #expect(read == [2, 3])
        var options = SpreadsheetTable.Options()
        options.endsAtTotals = true
        read = []
        try SpreadsheetTable.read(url: URL(fileURLWithPath: path), fileName: "counts.csv", specs: specs, options: options) { row, _ in read.append(row.number) }
        #expect(read == [2])
    }
}
