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
        // Compared as bytes: a roster asks this for every row, and `==` on Chinese strings
        // goes through Unicode normalisation.
        guard let found = Self.labels.first(where: { $0.label.hasSameUTF8(as: trimmed) }) else { return nil }
        self = found.stage
    }

    private static let labels: [(label: String, stage: Stage)] = [
        ("幼儿园", .kindergarten), ("学前", .kindergarten), ("学前教育", .kindergarten),
        ("中小学", .primarySecondary), ("小学", .primarySecondary), ("初中", .primarySecondary), ("高中", .primarySecondary),
        ("普通高中", .primarySecondary), ("中学", .primarySecondary), ("九年一贯制", .primarySecondary),
        ("中职", .vocational), ("职高", .vocational), ("职业中学", .vocational), ("中等职业学校", .vocational),
    ]

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
