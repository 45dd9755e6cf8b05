/// 学段: the three columns of Appendix 1.
public enum Stage: String, Sendable, Codable, CaseIterable, Comparable {
    case kindergarten
    case primarySecondary
    case vocational

    public var label: String {
        switch self {
        case .kindergarten: "幼儿园"
        case .primarySecondary: "中小学"
        case .vocational: "中职"
        }
    }

    public init?(label: String) {
        let trimmed = label.utf8.first == 32 || label.utf8.last == 32 ? label.trimmingCharacters(in: .whitespaces) : label
        switch trimmed {
        case "幼儿园", "学前", "学前教育": self = .kindergarten
        case "中小学", "小学", "初中", "高中", "普通高中", "中学", "九年一贯制": self = .primarySecondary
        case "中职", "职高", "职业中学", "中等职业学校": self = .vocational
        default: return nil
        }
    }

    public static func < (lhs: Stage, rhs: Stage) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The kind of a school decides the stage of its teachers.
public enum SchoolKind: String, Sendable, Codable, CaseIterable {
    case kindergarten
    case primary
    case juniorSecondary
    case seniorSecondary
    case completeSecondary
    case nineYear
    case vocational

    public var stage: Stage {
        switch self {
        case .kindergarten: .kindergarten
        case .vocational: .vocational
        default: .primarySecondary
        }
    }

    public var label: String {
        switch self {
        case .kindergarten: "幼儿园"
        case .primary: "小学"
        case .juniorSecondary: "初级中学"
        case .seniorSecondary: "高级中学"
        case .completeSecondary: "完全中学"
        case .nineYear: "九年一贯制学校"
        case .vocational: "中等职业学校"
        }
    }
}
