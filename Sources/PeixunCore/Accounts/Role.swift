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

    public init(role: Role, regionCode: String?, teacherID: Int?) {
        switch (role, regionCode, teacherID) {
        case (.province, _, _): self = .all
        case (.city, let code?, _): self = .city(code)
        case (.county, let code?, _): self = .county(code)
        case (.teacher, _, let id?): self = .teacher(id)
        default: self = .none
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
