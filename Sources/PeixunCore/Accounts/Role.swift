/// Who a user is in the programme (DESIGN.md, "Who uses it").
public enum Role: String, Sendable, Codable, CaseIterable {
    case province, city, county, institution, reviewer, teacher

    public var label: String {
        switch self {
        case .province: "省执行办"
        case .city: "市(州)教育局"
        case .county: "县(市、区)教育局"
        case .institution: "培训机构"
        case .reviewer: "职称评审"
        case .teacher: "参训教师"
        }
    }

    /// The region level an administrative role is tied to; other roles have none of their own.
    public var regionLevel: Region.Level? {
        switch self {
        case .province: .province
        case .city: .city
        case .county: .county
        case .institution, .reviewer, .teacher: nil
        }
    }
}

/// The subtree a user may see. Every query for regional data is narrowed by one of these.
public enum RegionScope: Sendable, Equatable {
    /// The whole province (or nation).
    case all
    /// One province below 全国 (`peixun demo --scale N`, N > 1); with one province it is `.all`.
    case province(String)
    case city(String)
    case county(String)
    /// No regional data at all (reviewers, institutions, anonymous).
    case none
    /// One teacher's own record.
    case teacher(Int)

    /// The one derivation of a user's scope from its account, used by every request, job and
    /// command. An administrative account sees its own region's subtree only if that region
    /// exists at the account's level; the province account at the top of the tree (Sichuan,
    /// or 全国 above several provinces) sees everything, one below 全国 its province. A missing
    /// or unknown region sees nothing — never more.
    public init(role: Role, regionCode: String?, teacherID: Int?, directory: RegionDirectory) {
        switch (role, regionCode, teacherID) {
        case (.province, let code?, _), (.city, let code?, _), (.county, let code?, _):
            guard let region = directory.region(code: code), region.level == role.regionLevel else {
                self = .none
                return
            }
            self = RegionScope(subtreeOf: region)
        case (.teacher, _, let id?): self = .teacher(id)
        default: self = .none
        }
    }

    /// A region's subtree as a scope: the top of the tree is everything, any other region its own codes.
    public init(subtreeOf region: Region) {
        switch region.level {
        case .province: self = region.parentCode == nil ? .all : .province(region.code)
        case .city: self = .city(region.code)
        case .county: self = .county(region.code)
        }
    }

    /// Whether a region (and everything below it) is visible.
    public func contains(regionCode: String, in directory: RegionDirectory) -> Bool {
        switch self {
        case .all: directory.region(code: regionCode) != nil
        case .province(let code), .city(let code): directory.isWithin(regionCode, ancestor: code)
        case .county(let county): regionCode == county
        case .none, .teacher: false
        }
    }

    /// The top of the visible tree, where reports start.
    public func root(in directory: RegionDirectory) -> String? {
        switch self {
        case .all: directory.province.code
        case .province(let code), .city(let code), .county(let code): code
        case .none, .teacher: nil
        }
    }
}
