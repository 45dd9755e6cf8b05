import Foundation
import Testing
@testable import PeixunSheets

/// Issue 12: a CSV whose data is one long line hung the import (a 2 MB cell took the row
/// checks a minute). Rows and cells are bounded by Excel's limits, and reading is linear.
@Suite struct LongLineTests {
    let header = "县(市、区),所在学校,学段,教师姓名,身份证号码\n"

    @Test func aTwoMegabyteCellIsRefusedAtOnceNamingTheFileAndThePlace() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/one-line.csv"
        try (header + String(repeating: "锦", count: 700_000)).write(toFile: path, atomically: true, encoding: .utf8)
        let started = Date()
        let error = refusal(path)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(error?.code == .tooLarge)
        #expect(error?.message.contains("one-line.csv") == true)
        #expect(error?.message.contains("第 2 行第 1 列（A 列）") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("32767 个字符") == true)
    }

    @Test func aQuotedFieldThatNeverEndsIsRefusedToo() throws {
        let data = Data((header + "锦江区,\"" + String(repeating: "a,b\n", count: 100_000)).utf8)
        #expect(throws: SheetError.self) { try CSVTableReader.rows(from: data, limit: 1_000_000) }
    }

    @Test func aCellOfExcelsLargestSizeIsRead() throws {
        let cell = String(repeating: "张", count: CSVTableReader.maxCellCharacters)
        let rows = try CSVTableReader.rows(from: Data((header + cell + ",x").utf8), limit: 10).rows
        #expect(rows[1].cells[0].text == cell && rows[1].cells[1].text == "x")
        #expect(throws: SheetError.self) { try CSVTableReader.rows(from: Data((header + cell + "张").utf8), limit: 10) }
    }

    @Test func aRowOfMoreColumnsThanExcelHasIsRefused() throws {
        let fits = String(repeating: "a,", count: CSVTableReader.maxColumns - 1) + "a"
        #expect(try CSVTableReader.rows(from: Data(fits.utf8), limit: 10).rows[0].cells.count == CSVTableReader.maxColumns)
        do {
            _ = try CSVTableReader.rows(from: Data((header + fits + ",a").utf8), limit: 10, fileName: "宽.csv")
            Issue.record("16,385 columns were accepted")
        } catch {
            #expect(error.code == .tooLarge && error.message.contains("宽.csv") && error.message.contains("第 2 行超过 16384 列"), "\(error.message)")
        }
    }

    @Test func oneLongLineOfManyShortCellsIsRefusedQuickly() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/commas.csv"
        try (header + String(repeating: "a,", count: 2_000_000)).write(toFile: path, atomically: true, encoding: .utf8)
        let started = Date()
        #expect(refusal(path)?.code == .tooLarge)
        #expect(Date().timeIntervalSince(started) < 5)
    }

    /// A worksheet row spread over many inflated chunks was searched again from its start at
    /// every chunk: quadratic in the row's size.
    @Test func aLongElementIsFoundInOnePassOverItsBytes() {
        var stream = ElementStream(closing: "</row>")
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 16)
        var found = 0
        let started = Date()
        for _ in 0..<256 {
            #expect(stream.feed(chunk) { _, _ in found += 1 })
        }
        #expect(stream.feed(Array("</ro".utf8)) { _, _ in found += 1 })
        var length = 0
        #expect(stream.feed(Array("w><row>".utf8)) { _, range in
            found += 1
            length = range.count
        })
        #expect(found == 1 && length == (256 << 16) + 6 && stream.leftover == 5)
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func anElementLargerThanAnyRowIsRefused() {
        var stream = ElementStream(closing: "</si>")
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        var fits = true
        for _ in 0...(ElementStream.maxPending >> 20) { fits = fits && stream.feed(chunk) { _, _ in } }
        #expect(!fits)
    }

    /// 2,000 cells of 30,000 characters fit Excel's limits; looking for the header among them
    /// normalised every character (1 of the 1.5 s a 60 MB line took in a release build).
    @Test func theHeaderIsLookedForAmongShortCellsOnly() {
        let wide = SheetRow(number: 2, cells: Array(repeating: .text(String(repeating: "x", count: 30_000)), count: 500))
        let header = SheetRow(number: 1, cells: rosterHeader.map { .text($0) })
        let started = Date()
        let found = HeaderDetector.detect(in: [header, wide, wide, wide], specs: rosterSpecs)
        #expect(found?.rowNumber == 1)
        #expect(Date().timeIntervalSince(started) < 1)
    }

    @Test func utf16AndGB18030AreConvertedWhole() throws {
        let text = "县(市、区),教师姓名\n锦江区,张伟😀\n" + String(repeating: "阿西木呷,", count: 1000)
        var utf16: [UInt8] = [0xFF, 0xFE]
        for unit in text.utf16 { utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let (rows16, encoding16) = try CSVTableReader.rows(from: Data(utf16), limit: 10)
        #expect(encoding16 == .utf16 && rows16[1].cells.map(\.text) == ["锦江区", "张伟😀"] && rows16[2].cells.count == 1001)
        let gb = TextDecoding.utf8(Array(text.utf8), from: "UTF-8")
        #expect(gb == Array(text.utf8))
        #expect(TextDecoding.utf8([0x81, 0x30], from: "GB18030") == nil, "a sequence cut off")
    }

    @Test func utf8IsValidatedInPlace() {
        #expect(TextDecoding.isValidUTF8(Array("abcdefgh张伟ijklmnop😀 qrstuvwxyz".utf8)))
        #expect(TextDecoding.isValidUTF8([]))
        for bad: [UInt8] in [[0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],
                             [0x80], [0xE5, 0xBC], Array("abcdefgh".utf8) + [0xFF] + Array("abcdefgh".utf8)] {
            #expect(!TextDecoding.isValidUTF8(bad), "\(bad)")
        }
    }
}
