/// An administrative division (行政区划) with its six-digit GB/T 2260 code.
public struct Region: Hashable, Sendable, Codable, Identifiable {
    public enum Level: String, Sendable, Codable, CaseIterable, Comparable {
        case province, city, county

        public var label: String {
            switch self {
            case .province: "省"
            case .city: "市(州)"
            case .county: "县(市、区)"
            }
        }

        public var child: Level? {
            switch self {
            case .province: .city
            case .city: .county
            case .county: nil
            }
        }

        private var depth: Int { Level.allCases.firstIndex(of: self)! }
        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.depth < rhs.depth }
    }

    public let code: String
    public let name: String
    public let level: Level
    public let parentCode: String?

    public var id: String { code }

    public init(code: String, name: String, level: Level, parentCode: String?) {
        self.code = code
        self.name = name
        self.level = level
        self.parentCode = parentCode
    }

    /// The name people use in speech and in spreadsheets: 成都市 → 成都,
    /// 阿坝藏族羌族自治州 → 阿坝, 马边彝族自治县 → 马边. Names of two characters keep
    /// their suffix (罗江区 → 罗江, but 泸县 stays 泸县).
    public var shortName: String { RegionNames.shortName(of: name) }
}

enum RegionNames {
    /// Ethnic autonomous suffixes, longest first so that the longest one is stripped.
    private static let autonomousSuffixes = [
        "藏族羌族自治州", "彝族自治州", "藏族自治州", "藏族羌族自治县",
        "羌族自治县", "彝族自治县", "藏族自治县", "土家族苗族自治县", "苗族自治县", "自治州", "自治县",
    ]
    private static let plainSuffixes = ["省", "市", "区", "县"]

    static func shortName(of name: String) -> String {
        for suffix in autonomousSuffixes where name.hasSuffix(suffix) {
            return String(name.dropLast(suffix.count))
        }
        for suffix in plainSuffixes where name.hasSuffix(suffix) && name.count > 2 {
            return String(name.dropLast(suffix.count))
        }
        return name
    }

    /// Additional spoken forms: 阿坝州, 凉山州, 北川县.
    static func colloquialNames(of region: Region) -> [String] {
        let short = shortName(of: region.name)
        guard short != region.name else { return [] }
        var names = [short]
        if region.name.hasSuffix("自治州") { names.append(short + "州") }
        if region.name.hasSuffix("自治县") { names.append(short + "县") }
        return names
    }
}
