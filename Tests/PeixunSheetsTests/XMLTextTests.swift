import Foundation
import Testing
@testable import PeixunSheets

/// Text as an XML reader and Excel read it (found by comparing with calamine, issue 12).
@Suite struct XMLTextTests {
    func text(_ xml: String, xstring: Bool = false) -> String {
        Array(xml.utf8).withUnsafeBufferPointer { XMLBytes.text($0, 0..<$0.count, xstring: xstring) }
    }

    @Test func lineEndsAreReadAsXMLReadsThem() {
        #expect(text("a\r\nb\rc\nd") == "a\nb\nc\nd")
        #expect(text("a&#13;&#10;b") == "a\r\nb", "a character reference is kept as written")
    }

    @Test func excelsEscapesAreDecodedInCellText() {
        #expect(text("a_x000D_b_x0009_c", xstring: true) == "a\rb\tc")
        #expect(text("_x005F_x000D_", xstring: true) == "_x000D_", "an escaped underscore keeps what follows literal")
        #expect(text("_x005f_x000d_", xstring: true) == "_x000d_")
        #expect(text("snake_case _x12_ _xZZZZ_", xstring: true) == "snake_case _x12_ _xZZZZ_")
        #expect(text("a_x000D_b") == "a_x000D_b", "only in cell text, not in attributes or numbers")
    }

    @Test func elapsedTimeIsNotADate() {
        #expect(!ExcelDate.isDateFormat("[h]:mm:ss") && !ExcelDate.isDateFormat("[mm]:ss") && !ExcelDate.isDateFormat("[ss].00"))
        #expect(ExcelDate.isDateFormat("[$-F800]dddd, mmmm dd, yyyy") && ExcelDate.isDateFormat("[Red]yyyy-mm-dd"))
        #expect(ExcelDate.isDateFormat("[Magenta]yyyy-mm-dd") && ExcelDate.isDateFormat("[Hijri]yyyy"))
        #expect(ExcelDate.isDateFormat("h:mm:ss") && ExcelDate.isDateFormat("yyyy\"年\"m\"月\"d\"日\""))
    }
}

@Suite struct CellReferenceTests {
    @Test func aReferenceOfManyLettersOrDigitsIsClampedNotAnOverflow() {
        let letters = String(repeating: "Z", count: 40)
        #expect(ColumnName.parse(reference: ArraySlice(Array((letters + String(repeating: "9", count: 40)).utf8)))! == (1 << 30 - 1, 1 << 30))
        let bytes = Array((letters + "1").utf8)
        #expect(bytes.withUnsafeBufferPointer { ColumnName.column($0, 0..<$0.count) } == (1 << 30) - 1)
        #expect(MergedRange(reference: Array("A2:\(letters)40".utf8))?.lastColumn == (1 << 30) - 1)
    }
}
