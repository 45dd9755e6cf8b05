import Foundation

/// When a teacher has completed the programme and may hold a certificate. The rule is
/// configuration (`PEIXUN_CERTIFICATE_RULE`), read here and nowhere else: by default one 合格
/// record at any level, cooperation projects included.
public struct CompletionRule: Sendable, Equatable {
    public var minimumPassed: Int
    public var levels: Set<TrainingLevel>

    public init(minimumPassed: Int = 1, levels: Set<TrainingLevel> = Set(TrainingLevel.allCases)) {
        precondition(minimumPassed >= 1 && !levels.isEmpty)
        self.minimumPassed = minimumPassed
        self.levels = levels
    }

    public static let standard = CompletionRule()

    /// A training record as the rule reads it.
    public struct Record: Sendable, Equatable {
        public let year: Int
        public let project: String
        public let level: TrainingLevel
        public let result: TrainingResult

        public init(year: Int, project: String, level: TrainingLevel, result: TrainingResult) {
            self.year = year
            self.project = project
            self.level = level
            self.result = result
        }
    }

    /// The records that count, oldest first; nil when there are too few.
    public func qualifying(_ records: [Record]) -> [Record]? {
        let counted = records.filter { $0.result == .passed && levels.contains($0.level) }
            .sorted { ($0.year, $0.project) < ($1.year, $1.project) }
        return counted.count >= minimumPassed ? counted : nil
    }

    /// 至少 1 项合格的培训记录（国培、省培、市培、县培或合作项目）, for pages that explain the rule.
    public var description: String {
        let names = TrainingLevel.allCases.filter(levels.contains).map(\.label).joined(separator: "、")
        return "至少 \(minimumPassed) 项合格的培训记录（\(names)）"
    }

    /// Reads `min=2;levels=national,provincial` (either part may be left out); nil when malformed.
    public init?(configuration text: String) {
        var minimum = 1
        var levels = Set(TrainingLevel.allCases)
        for part in text.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { return nil }
            switch pair[0] {
            case "min":
                guard let value = Int(pair[1]), (1...50).contains(value) else { return nil }
                minimum = value
            case "levels":
                let parsed = pair[1].split(separator: ",").map { TrainingLevel(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
                guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil }) else { return nil }
                levels = Set(parsed.compactMap { $0 })
            default: return nil
            }
        }
        self.init(minimumPassed: minimum, levels: levels)
    }
}
