/// One row of the progress statistics (Appendix 1): full-time teachers by stage and how
/// many of them have passed at least one training.
///
/// Only the parts are stored; totals and rates are derived, so a total can never disagree
/// with its parts.
public struct ProgressFigures: Sendable, Equatable, Codable {
    public var kindergarten: Int
    public var primarySecondary: Int
    public var vocational: Int
    public var trained: Int

    public init(kindergarten: Int = 0, primarySecondary: Int = 0, vocational: Int = 0, trained: Int = 0) {
        self.kindergarten = kindergarten
        self.primarySecondary = primarySecondary
        self.vocational = vocational
        self.trained = trained
    }

    public static let zero = ProgressFigures()

    public subscript(stage: Stage) -> Int {
        get {
            switch stage {
            case .kindergarten: kindergarten
            case .primarySecondary: primarySecondary
            case .vocational: vocational
            }
        }
        set {
            switch stage {
            case .kindergarten: kindergarten = newValue
            case .primarySecondary: primarySecondary = newValue
            case .vocational: vocational = newValue
            }
        }
    }

    /// 合计总数.
    public var total: Int { kindergarten + primarySecondary + vocational }

    /// 未培训人数 = the year's remaining task. Never negative: where more teachers are trained
    /// than the statistics count (teachers who moved in), nobody is left to train.
    public var untrained: Int { max(total - trained, 0) }

    /// 完成率 in 0...1; a region without teachers has nothing to complete.
    public var completionRate: Double {
        total == 0 ? 0 : min(Double(trained) / Double(total), 1)
    }

    public static func + (lhs: ProgressFigures, rhs: ProgressFigures) -> ProgressFigures {
        ProgressFigures(
            kindergarten: lhs.kindergarten + rhs.kindergarten,
            primarySecondary: lhs.primarySecondary + rhs.primarySecondary,
            vocational: lhs.vocational + rhs.vocational,
            trained: lhs.trained + rhs.trained)
    }

    public static func += (lhs: inout ProgressFigures, rhs: ProgressFigures) { lhs = lhs + rhs }
}

/// A region's or school's row in the report.
public struct ProgressRow: Sendable, Equatable {
    public let key: String
    public let name: String
    public let figures: ProgressFigures

    public init(key: String, name: String, figures: ProgressFigures) {
        self.key = key
        self.name = name
        self.figures = figures
    }
}

/// The rows of one level and their total, which is the sum of the rows (the untrained total
/// is the sum of the rows' untrained counts, as each row is a separate task).
public struct ProgressTable: Sendable, Equatable {
    public let rows: [ProgressRow]

    public init(rows: [ProgressRow]) { self.rows = rows }

    public var total: ProgressFigures { rows.reduce(.zero) { $0 + $1.figures } }
    public var totalUntrained: Int { rows.reduce(0) { $0 + $1.figures.untrained } }
}

/// Which school year's official statistics a report year uses: Appendix 1 for 2016 counts the
/// teachers of school year 2015/2016 (学年初). A school year is named by the year it starts.
public enum StatisticsYear {
    public static func schoolYear(forReportYear year: Int, available: [Int]) -> Int? {
        available.filter { $0 <= year - 1 }.max() ?? available.min()
    }

    public static func label(_ schoolYear: Int) -> String { "\(schoolYear)/\(schoolYear + 1)学年" }
}
