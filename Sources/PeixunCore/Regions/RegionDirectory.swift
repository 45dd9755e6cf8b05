import Foundation

/// The region tree with every way people name a region: code, full name, short name,
/// colloquial name (阿坝州) and the names and codes it had before a change (郫县, 512081).
public struct RegionDirectory: Sendable {
    public let regions: [Region]
    public let changes: [RegionChange]
    private let byCode: [String: Region]
    private let childrenByCode: [String: [Region]]
    private let codeAliases: [String: String]
    private let nameIndex: [String: [NameEntry]]

    public struct NameEntry: Sendable, Hashable {
        public let regionCode: String
        public let kind: RegionMatch.Kind
    }

    public init(regions: [Region], changes: [RegionChange]) {
        self.regions = regions
        self.changes = changes
        byCode = Dictionary(uniqueKeysWithValues: regions.map { ($0.code, $0) })
        childrenByCode = Dictionary(grouping: regions.filter { $0.parentCode != nil }, by: { $0.parentCode! })
        codeAliases = Dictionary(changes.map { ($0.oldCode, $0.newCode) }, uniquingKeysWith: { _, last in last })

        var index: [String: [NameEntry]] = [:]
        func add(_ name: String, _ code: String, _ kind: RegionMatch.Kind) {
            let key = RegionDirectory.normalise(name)
            guard !(index[key]?.contains { $0.regionCode == code } ?? false) else { return }
            index[key, default: []].append(NameEntry(regionCode: code, kind: kind))
        }
        for region in regions {
            add(region.name, region.code, .name)
            for colloquial in RegionNames.colloquialNames(of: region) { add(colloquial, region.code, .shortName) }
        }
        for change in changes where byCode[change.newCode] != nil {
            add(change.oldName, change.newCode, .historicName)
            for short in RegionNames.colloquialNames(of: Region(code: change.oldCode, name: change.oldName, level: .county, parentCode: nil)) {
                add(short, change.newCode, .historicName)
            }
        }
        nameIndex = index
    }

    /// The top of the tree: the province, or 全国 above several (`peixun demo --scale N`).
    public var province: Region { regions.first { $0.level == .province && $0.parentCode == nil } ?? regions.first { $0.level == .province }! }

    public func region(code: String) -> Region? { byCode[code] }

    /// A current code, or a code that has since changed (512081 → 510185).
    public func region(anyCode code: String) -> Region? {
        byCode[code] ?? codeAliases[code].flatMap { byCode[$0] }
    }

    public func children(of code: String) -> [Region] { childrenByCode[code] ?? [] }

    public func parent(of region: Region) -> Region? { region.parentCode.flatMap { byCode[$0] } }

    /// "乐山市市中区": a county with its city, to tell namesakes apart.
    public func qualifiedName(of region: Region) -> String {
        guard region.level == .county, let parent = parent(of: region) else { return region.name }
        return parent.name + region.name
    }

    public func counties(in code: String) -> [Region] {
        guard let region = byCode[code] else { return [] }
        switch region.level {
        case .county: return [region]
        case .city: return children(of: code)
        case .province: return children(of: code).flatMap { counties(in: $0.code) }
        }
    }

    /// True when `code` is `ancestor` itself or lies below it.
    public func isWithin(_ code: String, ancestor: String) -> Bool {
        var current = byCode[code]
        while let region = current {
            if region.code == ancestor { return true }
            current = parent(of: region)
        }
        return false
    }

    /// Every name known for a region, for aliases tables and for help texts.
    public func aliases() -> [(alias: String, regionCode: String, kind: RegionMatch.Kind)] {
        var result: [(String, String, RegionMatch.Kind)] = []
        for (key, entries) in nameIndex {
            for entry in entries where entry.kind != .name { result.append((key, entry.regionCode, entry.kind)) }
        }
        for change in changes where change.oldCode != change.newCode {
            result.append((change.oldCode, change.newCode, .historicCode))
        }
        return result.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
    }

    func nameIndex(for key: String) -> [NameEntry] { nameIndex[key] ?? [] }

    static func normalise(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x20, 0x3000, 0x09, 0x0A, 0x0D, 0xA0: continue
            case 0xFF08: result.unicodeScalars.append("(")
            case 0xFF09: result.unicodeScalars.append(")")
            case 0xFF10...0xFF19: result.unicodeScalars.append(Unicode.Scalar(scalar.value - 0xFF10 + 0x30)!)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
