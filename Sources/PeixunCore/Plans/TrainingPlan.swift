/// The notice's Appendix 3 (2017年市(州)县(区)能力提升工程培训计划及执行情况): one row per county
/// and year. The figures come from Appendix 1 of the year before (专任教师数 by stage,
/// 已培训人数, 未培训人数 = the gap, 缺口数); the county enters how many of the gap it asks
/// provincial-and-above projects to train (省级及以上项目需求数), how many its city and county
/// trainings will train (市县级培训计划数), whether those trainings run on the provincial
/// platform, and remarks.
public struct PlanEntry: Sendable, Equatable, Codable {
    /// 省级及以上项目需求数; nil until the county fills it in.
    public var provincialDemand: Int?
    /// 市县级培训计划数; nil until the county fills it in.
    public var localPlan: Int?
    /// 市县级培训纳入省级平台统一管理 (the form's note 4: if not, say so in the remarks).
    public var usesProvincialPlatform: Bool
    /// 备注.
    public var remarks: String

    public init(provincialDemand: Int? = nil, localPlan: Int? = nil, usesProvincialPlatform: Bool = true, remarks: String = "") {
        self.provincialDemand = provincialDemand
        self.localPlan = localPlan
        self.usesProvincialPlatform = usesProvincialPlatform
        self.remarks = remarks
    }

    public static let maximum = 10_000_000
    public static let remarksLength = 200

    /// Both numbers are entered.
    public var isFilled: Bool { provincialDemand != nil && localPlan != nil }

    /// The entry as stored: remarks cleaned and cut to 200 characters; a negative or absurd
    /// number is refused (not warned about) with a sentence naming the column.
    public func validated() throws(PlanRefusal) -> PlanEntry {
        for (value, label) in [(provincialDemand, "省级及以上项目需求数"), (localPlan, "市县级培训计划数")] {
            guard let value else { continue }
            if value < 0 { throw PlanRefusal(code: "plan.negative", message: "\(label)不能为负数（填写了 \(value)）") }
            if value > Self.maximum { throw PlanRefusal(code: "plan.too_large", message: "\(label)不能超过 \(Self.maximum)（填写了 \(value)）") }
        }
        var entry = self
        entry.remarks = String(TextCleaning.clean(remarks).prefix(Self.remarksLength))
        return entry
    }
}

/// A number that cannot be stored: refused, with a stable code and a Chinese sentence.
public struct PlanRefusal: Error, Sendable, Equatable {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// Something a plan row should look at again; never blocks saving or submitting.
public struct PlanWarning: Sendable, Equatable, Codable {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// One row of Appendix 3: a county (or, summed, a city or the province).
public struct PlanRow: Sendable, Equatable {
    public var figures: ProgressFigures
    public var entry: PlanEntry

    public init(figures: ProgressFigures, entry: PlanEntry) {
        self.figures = figures
        self.entry = entry
    }

    /// 未培训人数（缺口数）.
    public var gap: Int { figures.untrained }

    public var warnings: [PlanWarning] { PlanCheck.warnings(gap: gap, entry: entry) }

    /// Rows added up (小计, 合计): figures and entered numbers; an entry not filled counts as 0.
    public static func sum(_ rows: [PlanRow]) -> PlanRow {
        var figures = ProgressFigures.zero
        var demand = 0, plan = 0
        for row in rows {
            figures.kindergarten += row.figures.kindergarten
            figures.primarySecondary += row.figures.primarySecondary
            figures.vocational += row.figures.vocational
            figures.trained += row.figures.trained
            demand += row.entry.provincialDemand ?? 0
            plan += row.entry.localPlan ?? 0
        }
        return PlanRow(figures: figures, entry: PlanEntry(provincialDemand: demand, localPlan: plan,
                                                          usesProvincialPlatform: rows.allSatisfy(\.entry.usesProvincialPlatform)))
    }

    /// The sum's gap is the sum of the rows' gaps (a row never has a negative gap), as in Appendix 1.
    public static func gapSum(_ rows: [PlanRow]) -> Int { rows.reduce(0) { $0 + $1.gap } }
}

/// The notice's rules for a plan (附件3 备注 3 and 4): the demand and the plan together cover
/// the gap; provincial-and-above projects take 20 % and city and county trainings 80 %
/// (more than 5 percentage points off is flagged); city and county trainings outside the
/// provincial platform are explained in the remarks.
public enum PlanCheck {
    /// 省级培训 20%.
    public static let provincialShare = 20
    /// How far from 20/80 passes without a warning, in percentage points.
    public static let tolerance = 5

    public static func warnings(gap: Int, entry: PlanEntry) -> [PlanWarning] {
        var warnings: [PlanWarning] = []
        if !entry.isFilled {
            warnings.append(PlanWarning(code: "plan.incomplete", message: "尚未填写\([entry.provincialDemand == nil ? "省级及以上项目需求数" : nil, entry.localPlan == nil ? "市县级培训计划数" : nil].compactMap { $0 }.joined(separator: "和"))"))
        }
        let demand = entry.provincialDemand ?? 0, plan = entry.localPlan ?? 0
        let planned = demand + plan
        if entry.isFilled, planned < gap {
            warnings.append(PlanWarning(code: "plan.below_gap",
                                        message: "需求数与计划数合计 \(planned) 人，少于未培训人数（缺口数）\(gap) 人，还差 \(gap - planned) 人"))
        }
        // |demand / planned − 20 %| > 5 points, in integers: |100·demand − 20·planned| > 5·planned.
        if entry.isFilled, planned > 0, abs(100 * demand - provincialShare * planned) > tolerance * planned {
            warnings.append(PlanWarning(code: "plan.split",
                                        message: "省级及以上项目占 \(percent(demand, of: planned))、市县级培训占 \(percent(plan, of: planned))，"
                                            + "与“省级 20%、市县两级 80%”的原则相差超过 \(tolerance) 个百分点"))
        }
        if !entry.usesProvincialPlatform, entry.remarks.allSatisfy(\.isWhitespace) {
            warnings.append(PlanWarning(code: "plan.platform_remarks", message: "市县级培训尚未纳入省级平台统一管理的，请在备注中说明"))
        }
        return warnings
    }

    /// "23.5%", one decimal.
    static func percent(_ part: Int, of whole: Int) -> String {
        let tenths = (part * 1000 + whole / 2) / whole
        return "\(tenths / 10).\(tenths % 10)%"
    }
}
