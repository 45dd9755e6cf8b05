/// The size of a generated province.
public enum DemoScale: String, Sendable, CaseIterable {
    /// Every teacher of Appendix 1: 737,686.
    case full
    /// About 1% of each figure, with the same shape: for tests and quick looks.
    case small

    var factor: Double { self == .full ? 1 : 0.01 }
}

public struct DemoSchool: Sendable, Equatable {
    public let id: Int
    public let countyCode: String
    public let name: String
    public let kind: SchoolKind
}

public struct DemoTeacher: Sendable, Equatable {
    public let id: Int
    public let schoolID: Int
    public let countyCode: String
    public let stage: Stage
    public let name: String
    public let residentID: ResidentID
    public let mobile: String
}

public struct DemoProject: Sendable, Equatable {
    public let id: Int
    public let name: String
    public let level: TrainingLevel
    public let year: Int
    public let endYear: Int
    public let organiser: String
    /// The region that runs it (a city or county project), nil for province-wide ones.
    public let regionCode: String?
}

public struct DemoRecord: Sendable, Equatable {
    public let id: Int
    public let teacherID: Int
    public let projectID: Int
    public let year: Int
    public let result: TrainingResult
}

/// Everything generated for one county, handed to the writer as one batch.
public struct DemoCounty: Sendable {
    public let county: Region
    public let officialCounts: ProgressFigures
    public let schools: [DemoSchool]
    public let teachers: [DemoTeacher]
    public let records: [DemoRecord]
}
