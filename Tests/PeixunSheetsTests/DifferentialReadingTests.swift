import Foundation
import PeixunCore
import Testing
@testable import PeixunSheets

/// Differential reading (issue 12, item 4): every workbook of the corpus in
/// Fixtures/corpus (Excel, WPS, LibreOffice, openpyxl, xlsxwriter, Apache POI, Tencent Docs,
/// gnumeric, old .xls; sources in its README.md) is read by our readers and by calamine, and
/// every cell must be the same, as `CellComparison` defines it, or be a known difference
/// (DifferentialReadingTests+Known.swift).
@Suite struct DifferentialReadingTests {
    static let corpusFolder = fixture("corpus")

    static let corpus: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: corpusFolder.path)) ?? [])
        .filter { ["xlsx", "xlsm", "xls"].contains(($0 as NSString).pathExtension.lowercased()) }
        .sorted()

    @Test func corpusHoldsFilesFromEveryProducerEachWithItsSource() throws {
        #expect(Self.corpus.count >= 20)
        for producer in ["excel-", "wps-", "libreoffice-", "openpyxl-", "xlsxwriter-", "poi-", "tencent-", "gnumeric-"] {
            #expect(Self.corpus.contains { $0.hasPrefix(producer) }, "no file from \(producer)")
        }
        #expect(Self.corpus.contains { $0.hasSuffix(".xls") })
        let readme = try String(contentsOf: Self.corpusFolder.appendingPathComponent("README.md"), encoding: .utf8)
        let unlisted = Self.corpus.filter { !readme.contains("`\($0)`") }
        #expect(unlisted.isEmpty, "README.md does not say where these come from")
        let bytes = try Self.corpus.reduce(0) { sum, file in
            sum + ((try FileManager.default.attributesOfItem(atPath: Self.corpusFolder.appendingPathComponent(file).path)[.size] as? Int) ?? 0)
        }
        #expect(bytes <= 5 << 20)
        #expect(Set(Self.knownDifferences.keys).isSubset(of: Self.corpus))
    }

    @Test(arguments: corpus)
    func readsEveryCellAsCalamineDoes(file: String) throws {
        let url = Self.corpusFolder.appendingPathComponent(file)
        let theirs = try Calamine.read(url)
        var differences: [String]
        do {
            differences = CellComparison.differences(ours: try CellsCollector.read(url), calamine: theirs)
        } catch {
            differences = ["refused: our reader refused a file calamine reads: \(error)"]
        }
        let known = Self.knownDifferences[file]
        func isKnown(_ difference: String, _ cell: String) -> Bool { cell == "*" || difference.hasPrefix(cell + ":") }
        let expected = differences.filter { difference in known?.cells.contains { isKnown(difference, $0) } ?? false }
        let unexpected = differences.filter { !expected.contains($0) }
        if !unexpected.isEmpty {
            Issue.record("\(file): \(unexpected.count) cells differ:\n\(unexpected.prefix(25).joined(separator: "\n"))")
        }
        if let known {
            let gone = known.cells.filter { cell in !expected.contains { isKnown($0, cell) } }
            if !gone.isEmpty {
                Issue.record("\(file): \(gone) now read as calamine reads them; remove them from knownDifferences")
            }
            withKnownIssue(Comment(rawValue: known.reason), isIntermittent: !gone.isEmpty) {
                for difference in expected.prefix(10) { Issue.record(Comment(rawValue: "\(file): \(difference)")) }
            }
        }
    }

    /// The JSON of `peixun inspect --cells --json` holds exactly what was read, row for row.
    @Test(arguments: corpus)
    func jsonHoldsEveryCellAsRead(file: String) throws {
        let url = Self.corpusFolder.appendingPathComponent(file)
        guard let read = try? CellsCollector.read(url) else { return }  // refusals: the test above
        var json: [UInt8] = []
        let writer = CellsJSONWriter { json += $0 }
        try WorkbookCells.read(url: url, into: writer)
        try writer.finish()
        let document = try JSONDecoder().decode(CellsDocument.self, from: Data(json))
        #expect(document.sheets.map(\.name) == read.map(\.name))
        for (written, sheet) in zip(document.sheets, read) {
            #expect(written.rows == sheet.rows.map { $0.map(\.storedText) }, "\(file), sheet \(sheet.name)")
        }
    }

    /// The comparison can fail: a changed cell, a missing row, a text read as a number, a
    /// renamed sheet, another day.
    @Test func comparisonReportsEveryKindOfChange() throws {
        let url = Self.corpusFolder.appendingPathComponent("openpyxl-roster.xlsx")
        let theirs = try Calamine.read(url)
        let ours = try CellsCollector.read(url)
        #expect(CellComparison.differences(ours: ours, calamine: theirs).isEmpty)

        var changedText = ours
        #expect(changedText[0].rows[3][3] == .text("张伟"))
        changedText[0].rows[3][3] = .text("张伟 ")
        #expect(CellComparison.differences(ours: changedText, calamine: theirs) == [#"花名册!D4: ours text "张伟 ", calamine s "张伟""#])

        var changedNumber = ours
        changedNumber[0].rows[3][9] = .number(0.1.nextUp, raw: "0.10000000000000002")
        #expect(CellComparison.differences(ours: changedNumber, calamine: theirs).count == 1)

        var numberAsText = ours
        numberAsText[0].rows[3][9] = .text("0.1")
        #expect(CellComparison.differences(ours: numberAsText, calamine: theirs) == [#"花名册!J4: ours text "0.1", calamine n "0.1""#])

        var otherDay = ours
        otherDay[0].rows[3][8] = .date(CivilDate(year: 2015, month: 9, day: 2)!)
        #expect(CellComparison.differences(ours: otherDay, calamine: theirs).count == 1)

        var missingRow = ours
        missingRow[0].rows.removeLast()
        #expect(CellComparison.differences(ours: missingRow, calamine: theirs) == [#"花名册!A9: ours empty, calamine s "合计：4人""#])

        var renamed = ours
        renamed[2] = ReadSheet(name: "空 表", rows: [])
        #expect(CellComparison.differences(ours: renamed, calamine: theirs).count == 1)
    }

    @Test func sameMeansTheSameScalarsAndTheSameValue() {
        #expect(CellComparison.difference(.text("e\u{301}"), text: "\u{E9}", type: "s") != nil, "canonically equivalent is not the same")
        #expect(CellComparison.difference(.text("#DIV/0!"), text: "", type: "") == nil)
        #expect(CellComparison.difference(.text("#ABC"), text: "", type: "") != nil)
        #expect(CellComparison.difference(.number(15, raw: "15"), text: "15.0", type: "n") == nil)
        #expect(CellComparison.difference(.number(0.1, raw: "0.1"), text: "0.10000000000000002", type: "n") != nil)
        #expect(CellComparison.difference(.date(CivilDate(year: 2019, month: 3, day: 15)!), text: "2019-03-15T08:30:00", type: "d") == nil)
        #expect(CellComparison.difference(.number(0.5, raw: "0.5"), text: "12:00:00", type: "t") == nil)
        #expect(CellComparison.difference(.text("12:00:00"), text: "12:00:00", type: "t") == nil)
        #expect(CellComparison.difference(.bool(true), text: "FALSE", type: "b") != nil)
        #expect(CellComparison.difference(.empty, text: "x", type: "s") != nil)
        #expect(CellComparison.difference(.number(1, raw: "1"), text: "TRUE", type: "b") != nil)
        let day = CivilDate(year: 2014, month: 2, day: 14)!
        #expect(CellComparison.difference(.date(day), text: "2014-02-14T08:27:48.765Z", type: "s") == nil)
        #expect(CellComparison.difference(.date(day), text: "2014-02-15T08:27:48.765Z", type: "s") != nil)
        #expect(CellComparison.difference(.date(day), text: "2014-02-14 见", type: "s") != nil)
    }
}
