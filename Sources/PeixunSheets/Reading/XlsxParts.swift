import Foundation
import PeixunCore

extension XlsxTableReader {
    struct Parts {
        var sheets: [(name: String, path: String)]
        var date1904: Bool
        var sharedStrings: String?
        var styles: String?
    }

    /// Finds the workbook through the package relationships (`_rels/.rels` → main part → its
    /// own relationships), refusing by name the formats that are zips too but not OOXML
    /// workbooks (.ods, .numbers, .xlsb, a Word or PowerPoint file).
    static func locateParts(_ archive: ZipInflater, _ package: XlsxPackage, fileName: String, limits: Limits) throws(SheetError) -> Parts {
        if let entry = package["mimetype"], entry.uncompressedSize < 256 {
            var data = Data()
            try? archive.extract(entry) { data.append($0) }
            let mimetype = String(decoding: data, as: UTF8.self)
            if mimetype.contains("opendocument.spreadsheet") { throw FileKind.openDocumentSpreadsheet.refusal(fileName: fileName)! }
            if mimetype.contains("opendocument") {
                throw SheetError(.notSpreadsheet, "文件“\(fileName)”是 OpenDocument 文档，不是电子表格；请上传 .xlsx、.xls 或 .csv 文件")
            }
        }
        if package.contains("Index/Document.iwa") || package.contains("Index.zip") || package.contains(prefix: "Index/") {
            throw FileKind.numbers.refusal(fileName: fileName)!
        }
        var workbookPath: String?
        if package.contains("_rels/.rels") {
            let relationships = XlsxPackage.parseRelationships(try readWhole(archive, package, "_rels/.rels", fileName: fileName, limits: limits))
            if let main = relationships.first(where: { $0.kind == "officeDocument" && !$0.external }) {
                workbookPath = XlsxPackage.resolve(main.target, from: "")
            }
        }
        if let path = workbookPath, !package.contains(path), package.contains("xl/workbook.xml") { workbookPath = "xl/workbook.xml" }
        if workbookPath == nil, package.contains("xl/workbook.xml") { workbookPath = "xl/workbook.xml" }
        if workbookPath == nil, package.contains("xl/workbook.bin") { workbookPath = "xl/workbook.bin" }
        guard let workbookPath, package.contains(workbookPath) else {
            if package.contains("word/document.xml") {
                throw SheetError(.notSpreadsheet, "文件“\(fileName)”是 Word 文档，不是电子表格；请上传 .xlsx、.xls 或 .csv 文件")
            }
            if package.contains("ppt/presentation.xml") {
                throw SheetError(.notSpreadsheet, "文件“\(fileName)”是 PowerPoint 演示文稿，不是电子表格；请上传 .xlsx、.xls 或 .csv 文件")
            }
            throw SheetError(.corrupt, "文件“\(fileName)”不是有效的 Excel 工作簿（压缩包中找不到工作簿 xl/workbook.xml），请用 Excel 或 WPS 打开后另存为 .xlsx 再上传")
        }
        let lowered = workbookPath.lowercased()
        if lowered.hasSuffix(".bin") { throw FileKind.xlsb.refusal(fileName: fileName)! }
        if lowered.hasSuffix("document.xml") {
            throw SheetError(.notSpreadsheet, "文件“\(fileName)”是 Word 文档，不是电子表格；请上传 .xlsx、.xls 或 .csv 文件")
        }
        if lowered.hasSuffix("presentation.xml") {
            throw SheetError(.notSpreadsheet, "文件“\(fileName)”是 PowerPoint 演示文稿，不是电子表格；请上传 .xlsx、.xls 或 .csv 文件")
        }
        let workbook = try readWhole(archive, package, workbookPath, fileName: fileName, limits: limits)
        let relationshipsPath = XlsxPackage.relationshipsPart(of: workbookPath)
        let relationships = package.contains(relationshipsPath)
            ? XlsxPackage.parseRelationships(try readWhole(archive, package, relationshipsPath, fileName: fileName, limits: limits)) : []
        let (sheets, date1904) = parseWorkbook(workbook, relationships: relationships, workbookPath: workbookPath)
        // Without a relationship, the parts Excel would have written beside the workbook.
        func part(_ kind: String, default name: String) -> String? {
            if let relationship = relationships.first(where: { $0.kind == kind && !$0.external }) {
                let path = XlsxPackage.resolve(relationship.target, from: workbookPath)
                return package.contains(path) ? path : nil
            }
            let path = XlsxPackage.resolve(name, from: workbookPath)
            return package.contains(path) ? path : nil
        }
        return Parts(sheets: sheets, date1904: date1904,
                     sharedStrings: part("sharedStrings", default: "sharedStrings.xml"), styles: part("styles", default: "styles.xml"))
    }

    /// Sheet names in workbook order with the part each is stored in, and the date system.
    static func parseWorkbook(_ workbook: Data, relationships: [XlsxPackage.Relationship], workbookPath: String) -> ([(name: String, path: String)], Bool) {
        var targets: [String: String] = [:]
        for relationship in relationships where !relationship.external { targets[relationship.id] = relationship.target }
        var sheets: [(name: String, path: String)] = []
        var date1904 = false
        [UInt8](workbook).withUnsafeBufferPointer { bytes in
            XMLBytes.forEachStartTag(Array("workbookPr".utf8), in: bytes) { tag in
                if let text = XMLBytes.attributes(in: bytes, tag: tag)["date1904"] { date1904 = text == "1" || text == "true" }
            }
            XMLBytes.forEachStartTag(Array("sheet".utf8), in: bytes) { tag in
                let attributes = XMLBytes.attributes(in: bytes, tag: tag)
                let position = sheets.count + 1
                let name = attributes["name"] ?? "Sheet\(position)"
                var path = XlsxPackage.resolve("worksheets/sheet\(position).xml", from: workbookPath)
                if let id = XMLBytes.prefixedAttribute("id", in: attributes), let target = targets[id] {
                    path = XlsxPackage.resolve(target, from: workbookPath)
                }
                sheets.append((name, path))
            }
        }
        return (sheets, date1904)
    }

    /// The cell style indexes (`s`) whose number format shows a date.
    static func parseDateStyles(_ styles: Data) -> Set<Int> {
        var customDateFormats = Set<Int>()
        var result = Set<Int>()
        [UInt8](styles).withUnsafeBufferPointer { bytes in
            var index = 0
            while let open = XMLBytes.find(Array("<numFmt ".utf8), in: bytes, from: index, to: bytes.count),
                  let close = XMLBytes.find([UInt8(ascii: ">")], in: bytes, from: open, to: bytes.count) {
                if let id = XMLBytes.attribute(Array("numFmtId".utf8), in: bytes, from: open, to: close).flatMap({ Int(XMLBytes.text(bytes, $0)) }),
                   let code = XMLBytes.attribute(Array("formatCode".utf8), in: bytes, from: open, to: close).map({ XMLBytes.text(bytes, $0) }),
                   ExcelDate.isDateFormat(code) {
                    customDateFormats.insert(id)
                }
                index = close
            }
            guard let xfsStart = XMLBytes.find(Array("<cellXfs".utf8), in: bytes, from: 0, to: bytes.count) else { return }
            let xfsEnd = XMLBytes.find(Array("</cellXfs>".utf8), in: bytes, from: xfsStart, to: bytes.count) ?? bytes.count
            index = xfsStart + 8
            var position = 0
            while let open = XMLBytes.find(Array("<xf".utf8), in: bytes, from: index, to: xfsEnd),
                  let close = XMLBytes.find([UInt8(ascii: ">")], in: bytes, from: open, to: xfsEnd) {
                let format = XMLBytes.attribute(Array("numFmtId".utf8), in: bytes, from: open, to: close).flatMap { Int(XMLBytes.text(bytes, $0)) } ?? 0
                if ExcelDate.builtInDateFormats.contains(format) || customDateFormats.contains(format) { result.insert(position) }
                position += 1
                // Skip past this xf's children (<alignment/>, <protection/>) to the next xf.
                if bytes[close - 1] == UInt8(ascii: "/") {
                    index = close + 1
                } else {
                    index = XMLBytes.find(Array("</xf>".utf8), in: bytes, from: close, to: xfsEnd).map { $0 + 5 } ?? xfsEnd
                }
            }
        }
        return result
    }
}

/// Excel's serial dates.
enum ExcelDate {
    static let builtInDateFormats: Set<Int> = Set(14...22).union(27...36).union(45...47).union(50...58)

    static func isDateFormat(_ code: String) -> Bool {
        var inQuotes = false, inBracket = false
        let lowered = code.lowercased()
        // Elapsed time ([h]:mm:ss, [mm]:ss) is a duration, not a date.
        for part in lowered.split(separator: "[", omittingEmptySubsequences: false).dropFirst() {
            let inside = part.prefix { $0 != "]" }
            if let first = inside.first, "hms".contains(first), inside.allSatisfy({ $0 == first }) { return false }
        }
        for character in lowered {
            switch character {
            case "\"": inQuotes.toggle()
            case "[": inBracket = true
            case "]": inBracket = false
            case "y", "d", "m", "h", "s", "年", "月", "日" where !inQuotes && !inBracket: return true
            default: continue
            }
        }
        return false
    }

    static func civilDate(serial: Double, date1904: Bool) -> CivilDate? {
        guard serial >= 1, serial < 2_958_466 else { return nil }
        var days = Int(serial.rounded(.down))
        if date1904 { days += 1462 }
        // The 1900 system counts a 29 February 1900 that never was.
        if !date1904, days < 61 { days += 1 }
        // Day 25569 is 1970-01-01 in the 1900 system.
        let unixDays = days - 25569
        return CivilDate(unixDays: unixDays)
    }
}

extension CivilDate {
    /// The date `unixDays` days after 1970-01-01 (Howard Hinnant's civil_from_days).
    init?(unixDays: Int) {
        let z = unixDays + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        self.init(year: year, month: month, day: day)
    }
}
