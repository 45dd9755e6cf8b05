/// The outcome of looking a region up by what somebody typed.
public enum RegionMatch: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case code, historicCode, name, shortName, historicName
    }

    case found(Region, Kind)
    /// Several regions carry this name (市中区 is in 乐山 and in 内江).
    case ambiguous([Region])
    /// Nothing matched; the closest names, best first.
    case notFound(suggestions: [Region])

    public var region: Region? {
        if case .found(let region, _) = self { return region }
        return nil
    }
}

extension RegionDirectory {
    /// Resolves a code or a name. `within` narrows ambiguous names to a subtree and
    /// `level` to counties or cities; "成都市锦江区" is understood as the county inside the city.
    public func resolve(_ text: String, within ancestor: String? = nil, level: Region.Level? = nil) -> RegionMatch {
        let key = Self.normalise(text)
        guard !key.isEmpty else { return .notFound(suggestions: []) }
        let accept: (Region) -> Bool = { region in
            (level == nil || region.level == level) && (ancestor == nil || self.isWithin(region.code, ancestor: ancestor!))
        }

        if key.utf8.count == 6, key.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            if let region = region(code: key), accept(region) { return .found(region, .code) }
            if let region = region(anyCode: key), accept(region) { return .found(region, .historicCode) }
            return .notFound(suggestions: [])
        }

        if let match = resolveName(key, accept: accept) { return match }

        // "成都市锦江区", "凉山州西昌市": a city name followed by a county name.
        for city in regions where city.level == .city {
            for prefix in [city.name] + RegionNames.colloquialNames(of: city) where key.hasPrefix(prefix) && key.count > prefix.count {
                let rest = String(key.dropFirst(prefix.count))
                if case .found(let county, let kind)? = resolveName(rest, accept: { accept($0) && $0.parentCode == city.code }) {
                    return .found(county, kind)
                }
            }
        }
        return .notFound(suggestions: suggestions(for: key, accept: accept))
    }

    private func resolveName(_ key: String, accept: (Region) -> Bool) -> RegionMatch? {
        let candidates = (nameIndex(for: key)).compactMap { entry -> (Region, RegionMatch.Kind)? in
            guard let region = region(code: entry.regionCode), accept(region) else { return nil }
            return (region, entry.kind)
        }
        if candidates.count == 1 { return .found(candidates[0].0, candidates[0].1) }
        if candidates.count > 1 {
            // A full current name beats a short one, and a current name beats a historic one
            // (宜宾 is the city, not the former 宜宾县).
            for preferred in [Set([RegionMatch.Kind.name]), [.name, .shortName]] {
                let kept = candidates.filter { preferred.contains($0.1) }
                if kept.count == 1 { return .found(kept[0].0, kept[0].1) }
            }
            // 阿坝 alone means the prefecture, not 阿坝县, unless the caller asked for counties.
            let current = candidates.filter { $0.1 != .historicName }
            if let top = current.map(\.0.level).min(), current.filter({ $0.0.level == top }).count == 1 {
                let chosen = current.first { $0.0.level == top }!
                return .found(chosen.0, chosen.1)
            }
            return .ambiguous(candidates.map(\.0))
        }
        return nil
    }

    private func suggestions(for key: String, accept: (Region) -> Bool) -> [Region] {
        // Region names are a few characters long: a much longer text is no typo of one, and the
        // edit distance costs its length times each name's (a 2 MB cell took minutes).
        guard key.count <= Self.longestSuggestible else { return [] }
        let scored = regions.filter(accept).map { region -> (Region, Int) in
            let distance = min(
                EditDistance.between(key, region.name),
                EditDistance.between(key, region.shortName))
            return (region, distance)
        }
        let limit = max(1, key.count / 2)
        return scored.filter { $0.1 <= limit }
            .sorted { ($0.1, $0.0.code) < ($1.1, $1.0.code) }
            .prefix(3).map(\.0)
    }
}

enum EditDistance {
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

extension RegionDirectory {
    /// Why `typed` names no single region, for a refusal: the namesakes with their cities, or
    /// the closest names. Nil when it was found.
    /// - Parameter kind: what was asked for, as the message names it (县(市、区), 地区…).
    public func unresolvedMessage(_ match: RegionMatch, typed: String, kind: String = "县(市、区)") -> String? {
        switch match {
        case .found:
            return nil
        case .ambiguous(let candidates):
            let names = candidates.map(qualifiedName(of:))
            return "“\(typed)”有重名（\(names.joined(separator: "、"))），请写明所属市州，如“\(names.first ?? "")”"
        case .notFound(let suggestions):
            let hint = suggestions.isEmpty ? "" : "，是否为：" + suggestions.map(\.name).joined(separator: "、")
            return "找不到\(kind)“\(typed)”\(hint)"
        }
    }

    /// Texts longer than this get no "did you mean" suggestions.
    static let longestSuggestible = 40
}
