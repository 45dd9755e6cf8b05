import Foundation
import PeixunCore

extension XlsxTableReader {
    /// Sheet names in workbook order with the part each is stored in, and the date system.
    static func parseWorkbook(_ workbook: Data, relations: Data) -> ([(name: String, path: String)], Bool) {
        var targets: [String: String] = [:]
        [UInt8](relations).withUnsafeBufferPointer { bytes in
            var index = 0
            while let open = XMLBytes.find(Array("<Relationship ".utf8), in: bytes, from: index, to: bytes.count),
                  let close = XMLBytes.find([UInt8(ascii: ">")], in: bytes, from: open, to: bytes.count) {
                if let id = XMLBytes.attribute(Array("Id".utf8), in: bytes, from: open + 13, to: close),
                   let target = XMLBytes.attribute(Array("Target".utf8), in: bytes, from: open + 13, to: close) {
                    targets[XMLBytes.text(bytes, id)] = XMLBytes.text(bytes, target)
                }
                index = close
            }
        }
        var sheets: [(String, String)] = []
        var date1904 = false
        [UInt8](workbook).withUnsafeBufferPointer { bytes in
            if let pr = XMLBytes.find(Array("<workbookPr".utf8), in: bytes, from: 0, to: bytes.count),
               let close = XMLBytes.find([UInt8(ascii: ">")], in: bytes, from: pr, to: bytes.count),
               let value = XMLBytes.attribute(Array("date1904".utf8), in: bytes, from: pr, to: close) {
                let text = XMLBytes.text(bytes, value)
                date1904 = text == "1" || text == "true"
            }
            var index = 0
            var position = 1
            while let open = XMLBytes.find(Array("<sheet ".utf8), in: bytes, from: index, to: bytes.count),
                  let close = XMLBytes.find([UInt8(ascii: ">")], in: bytes, from: open, to: bytes.count) {
                let name = XMLBytes.attribute(Array("name".utf8), in: bytes, from: open, to: close).map { XMLBytes.text(bytes, $0) } ?? "Sheet\(position)"
                let id = XMLBytes.attribute(Array("r:id".utf8), in: bytes, from: open, to: close).map { XMLBytes.text(bytes, $0) }
                var path = "xl/worksheets/sheet\(position).xml"
                if let id, let target = targets[id] {
                    path = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
                }
                sheets.append((name, path))
                position += 1
                index = close
            }
        }
        return (sheets.map { (name: $0.0, path: $0.1) }, date1904)
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
        for character in code.lowercased() {
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
