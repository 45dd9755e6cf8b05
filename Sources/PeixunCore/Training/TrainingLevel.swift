/// 培训层级: who ran a project.
public enum TrainingLevel: String, Sendable, Codable, CaseIterable {
    case national, provincial, city, county, cooperation

    public var label: String {
        switch self {
        case .national: "国培"
        case .provincial: "省培"
        case .city: "市培"
        case .county: "县培"
        case .cooperation: "合作项目"
        }
    }
}

/// 培训结果 of one teacher in one project.
public enum TrainingResult: String, Sendable, Codable, CaseIterable {
    case passed, failed, inProgress

    public var label: String {
        switch self {
        case .passed: "合格"
        case .failed: "不合格"
        case .inProgress: "在训"
        }
    }
}
