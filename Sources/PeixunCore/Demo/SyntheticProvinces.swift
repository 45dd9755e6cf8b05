/// Synthetic provinces for growth tests (`peixun demo --scale N`, N > 1): copies of Sichuan's
/// shape (21 cities, 183 counties, Appendix 1's figures) under made-up names and codes, below a
/// national root. They are recognisable by code alone: the root is 000000 and every synthetic
/// region's two-digit prefix is one no real province uses (GB/T 2260), so nothing has to be
/// flagged in the database and real data can never collide with them.
public enum SyntheticProvinces {
    /// The national root (全国) above the provinces; it exists only when N > 1.
    public static let nationalCode = "000000"
    public static let nationalName = "全国"

    /// Two-digit prefixes no real province uses, in the order synthetic provinces take them:
    /// 模拟省01 is 900000, 模拟省11 is 830000.
    static let prefixes: [String] = (Array(90...99) + Array(83...89) + Array(72...80) + Array(66...70) + Array(55...60)).map(String.init)

    /// Resident IDs must start with a real province code (`ResidentID.parse` refuses others):
    /// the teachers of synthetic province k were born, on paper, in the k-th real province
    /// other than Sichuan, so their IDs never collide with Sichuan's or with each other's.
    static let birthPrefixes: [String] = ProvinceCodes.all.subtracting([51]).sorted().map(String.init)

    /// Sichuan and at most 33 synthetic provinces (one birth prefix each).
    public static let maximumScale = 1 + min(prefixes.count, birthPrefixes.count)

    /// True for the national root and every region of a synthetic province.
    public static func isSynthetic(code: String) -> Bool {
        code == nationalCode || prefixes.contains(String(code.prefix(2)))
    }

    /// The national root region.
    public static var nationalRoot: Region {
        Region(code: nationalCode, name: nationalName, level: .province, parentCode: nil)
    }

    /// Synthetic province `index` (1-based): 模拟省01, 900000.
    public static func province(_ index: Int) -> Region {
        precondition((1..<maximumScale).contains(index), "synthetic province \(index) out of range")
        let number = index < 10 ? "0\(index)" : "\(index)"
        return Region(code: prefixes[index - 1] + "0000", name: "模拟省" + number, level: .province, parentCode: nationalCode)
    }

    /// Synthetic province `index` with its cities and counties: Sichuan's tree with the prefix
    /// replaced (510104 → 900104) and the names marked (锦江区 → 模拟01锦江区).
    public static func regions(ofProvince index: Int) -> [Region] {
        let province = province(index)
        let prefix = String(province.code.prefix(2))
        let mark = "模拟" + province.name.dropFirst(3)
        let sichuan = RegionDirectory.sichuan
        var regions = [province]
        for city in sichuan.children(of: sichuan.province.code) {
            regions.append(Region(code: prefix + city.code.dropFirst(2), name: mark + city.name, level: .city, parentCode: province.code))
            for county in sichuan.children(of: city.code) {
                regions.append(Region(code: prefix + county.code.dropFirst(2), name: mark + county.name, level: .county,
                                      parentCode: prefix + city.code.dropFirst(2)))
            }
        }
        return regions
    }

    /// The birth prefix of a synthetic province's teachers' IDs; nil for a real province.
    static func birthPrefix(forProvince code: String) -> String? {
        guard let index = prefixes.firstIndex(of: String(code.prefix(2))) else { return nil }
        return birthPrefixes[index]
    }

    /// Sichuan's code for the same place: 900104 → 510104 (the copy's model).
    static func sichuanTwin(of code: String) -> String { "51" + code.dropFirst(2) }
}

extension RegionDirectory {
    /// Sichuan alone for `scale` 1; otherwise 全国 above Sichuan and `scale - 1` synthetic provinces.
    public static func national(scale: Int) -> RegionDirectory {
        precondition((1...SyntheticProvinces.maximumScale).contains(scale), "scale \(scale) out of range")
        guard scale > 1 else { return .sichuan }
        let sichuan = RegionDirectory.sichuan
        var regions = [SyntheticProvinces.nationalRoot]
        for region in sichuan.regions {
            regions.append(region.parentCode == nil
                ? Region(code: region.code, name: region.name, level: region.level, parentCode: SyntheticProvinces.nationalCode)
                : region)
        }
        for index in 1..<scale { regions += SyntheticProvinces.regions(ofProvince: index) }
        return RegionDirectory(regions: regions, changes: sichuan.changes)
    }

    /// One province's own tree out of a national directory, for generating it.
    func provinceTree(_ code: String) -> RegionDirectory {
        guard let province = region(code: code) else { return self }
        var regions = [province]
        for city in children(of: code) { regions += [city] + children(of: city.code) }
        return RegionDirectory(regions: regions, changes: code == "510000" ? changes : [])
    }

    /// 全国, when the directory has one (a demo generated at a scale above 1).
    public var nationalRoot: Region? { region(code: SyntheticProvinces.nationalCode) }
}
