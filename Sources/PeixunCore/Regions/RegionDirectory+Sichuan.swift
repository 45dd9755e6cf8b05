import Foundation

extension RegionDirectory {
    /// Sichuan's current divisions and the changes since 2016, bundled with the package.
    public static let sichuan: RegionDirectory = {
        do {
            return try RegionDirectory(
                divisionsCSV: try bundledText("sichuan-divisions"),
                changesCSV: try bundledText("sichuan-division-changes"))
        } catch {
            preconditionFailure("bundled region data is unreadable: \(error)")
        }
    }()

    public struct CSVError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads `code,name,level,parent_code` and
    /// `old_code,old_name,new_code,new_name,effective_year,kind` tables.
    public init(divisionsCSV: String, changesCSV: String) throws {
        var regions: [Region] = []
        for (number, fields) in Self.rows(divisionsCSV) {
            guard fields.count == 4, let level = Region.Level(rawValue: fields[2]) else {
                throw CSVError(description: "行政区划表第\(number)行格式错误")
            }
            regions.append(Region(code: fields[0], name: fields[1], level: level, parentCode: fields[3].isEmpty ? nil : fields[3]))
        }
        var changes: [RegionChange] = []
        for (number, fields) in Self.rows(changesCSV) {
            guard fields.count == 6, let year = Int(fields[4]) else {
                throw CSVError(description: "区划变更表第\(number)行格式错误")
            }
            changes.append(RegionChange(oldCode: fields[0], oldName: fields[1], newCode: fields[2], newName: fields[3], effectiveYear: year, kind: fields[5]))
        }
        self.init(regions: regions, changes: changes)
    }

    private static func rows(_ text: String) -> [(Int, [String])] {
        text.split(whereSeparator: \.isNewline).enumerated().dropFirst().map { offset, line in
            (offset + 1, line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) })
        }
    }

    private static func bundledText(_ name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: "csv") else {
            throw CSVError(description: "缺少内置数据文件 \(name).csv")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
