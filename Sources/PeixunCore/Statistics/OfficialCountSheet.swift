/// The columns of an official teacher-count table (专任教师数, from the education statistics).
/// Two layouts are accepted: long (one row per county × stage: 学段 + 专任教师数) and wide (one
/// row per county, a column per stage, optionally 合计).
public enum OfficialCountColumn: String, Sendable, CaseIterable {
    case city, county, stage, count, kindergarten, primarySecondary, vocational, total

    public var label: String {
        switch self {
        case .city: "市(州)"
        case .county: "县(市、区)"
        case .stage: "学段"
        case .count: "专任教师数"
        case .kindergarten: "幼儿园"
        case .primarySecondary: "中小学"
        case .vocational: "中职"
        case .total: "合计"
        }
    }

    public var aliases: [String] {
        switch self {
        case .city: ["市州", "市(州)名称", "地区"]
        case .county: ["区县", "县区", "县(区)", "县(市)", "县市区", "单位"]
        case .stage: []
        case .count: ["教师数", "专任教师", "专任教师人数", "人数"]
        case .kindergarten: ["幼儿园专任教师数", "学前教育", "学前"]
        case .primarySecondary: ["中小学专任教师数", "普通中小学"]
        case .vocational: ["中职专任教师数", "中等职业学校", "中职学校"]
        case .total: ["总计", "小计"]
        }
    }

    public var stage: Stage? {
        switch self {
        case .kindergarten: .kindergarten
        case .primarySecondary: .primarySecondary
        case .vocational: .vocational
        default: nil
        }
    }
}

/// One row of the table as typed: region cells and, per stage, the count cell.
public struct RawOfficialCountRow: Sendable {
    public let row: Int
    public var city = ""
    public var county = ""
    /// Long layout: the 学段 cell and the 专任教师数 cell.
    public var stage = ""
    public var count = ""
    /// Wide layout: the cell under each stage column present, and 合计.
    public var stageCells: [Stage: String] = [:]
    public var total = ""

    public init(row: Int) { self.row = row }
}

/// A checked count, ready to store.
public struct OfficialCountEntry: Sendable, Equatable {
    public let row: Int
    public let county: Region
    public let stage: Stage
    public let teachers: Int
}

/// Checks an official-count table row by row: regions, stages and numbers, each county ×
/// stage once, and every subtotal (小计) and total (合计) row against the sum of the rows it
/// covers, so that a table whose totals disagree with its rows is reported, never taken.
public struct OfficialCountSheetChecker: Sendable {
    public let regions: RegionDirectory
    public let scope: RegionScope
    public let wide: Bool
    public private(set) var entries: [OfficialCountEntry] = []
    private var firstRow: [String: Int] = [:]
    /// Sums by stage since the last group subtotal, over the whole table, and per county.
    private var sinceSubtotal: [Stage: Int] = [:]
    private var grand: [Stage: Int] = [:]
    private var byCounty: [String: [Stage: Int]] = [:]
    /// A refused data row makes the totals below it uncheckable; they are then not blamed.
    private var refusedSinceSubtotal = false
    private var refusedAny = false
    /// Rows that name a city (成都市) carry its total; checked at the end, wherever they stand.
    private var cityRows: [(raw: RawOfficialCountRow, city: Region)] = []
    private var groupClosed = false

    public init(regions: RegionDirectory, scope: RegionScope, wide: Bool) {
        self.regions = regions
        self.scope = scope
        self.wide = wide
    }

    static let subtotalWords = ["小计", "合计", "总计", "共计", "全省", "全市"]

    enum SubtotalKind { case group, grand, county(String) }

    public mutating func check(_ raw: RawOfficialCountRow) -> [RowIssue] {
        var errors: [RowIssue] = []
        func refuse(_ column: OfficialCountColumn, _ code: String, _ message: String) {
            errors.append(RowIssue(row: raw.row, column: column.label, code: code, message: message))
        }
        let county = TeacherRowValidator.clean(raw.county)
        let city = TeacherRowValidator.clean(raw.city)
        let stageText = TeacherRowValidator.clean(raw.stage)

        // Which kind of row: a subtotal names itself in the region or the stage cell.
        let regionWord = Self.subtotalWords.first { county.contains($0) } ?? (county.isEmpty ? Self.subtotalWords.first { city.contains($0) } : nil)
        let stageWord = Self.subtotalWords.contains(where: { stageText.contains($0) })
        if regionWord != nil || (stageWord && !wide) {
            var kind = SubtotalKind.group
            if let word = regionWord, ["合计", "总计", "共计", "全省"].contains(word) { kind = .grand }
            if regionWord == nil {
                guard case .found(let region, _) = regions.resolve(county, level: .county) else {
                    refuse(.county, "region.unknown", "找不到县(市、区)“\(county)”")
                    return errors
                }
                kind = .county(region.code)
            }
            errors += checkSubtotal(raw, kind: kind, label: regionWord ?? "小计")
            // Several subtotal rows in a row (one per stage) cover the same rows: start afresh at the next data row.
            if case .group = kind { groupClosed = true }
            return errors
        }

        if !county.isEmpty, case .found(let found, let kind) = regions.resolve(county, level: .city), kind == .name || kind == .code {
            cityRows.append((raw, found))
            return []
        }

        if groupClosed {
            sinceSubtotal = [:]
            refusedSinceSubtotal = false
            groupClosed = false
        }
        var region: Region?
        if county.isEmpty {
            refuse(.county, "region.unknown", "县(市、区)为空")
        } else {
            let match = regions.resolve(county, level: .county)
            region = match.region
            if let message = regions.unresolvedMessage(match, typed: county) { refuse(.county, "region.unknown", message) }
        }
        if let found = region, !scope.contains(regionCode: found.code, in: regions) {
            refuse(.county, "region.out_of_scope", "\(found.name)不在您的管辖范围内")
            region = nil
        }

        var counts: [(Stage, Int, OfficialCountColumn)] = []
        if wide {
            for stage in Stage.allCases {
                guard let text = raw.stageCells[stage], !TeacherRowValidator.clean(text).isEmpty else { continue }
                let column = OfficialCountColumn.allCases.first { $0.stage == stage }!
                if let value = Self.number(text) { counts.append((stage, value, column)) } else {
                    refuse(column, "count.invalid", "“\(text)”不是人数，应为不小于 0 的整数")
                }
            }
            if counts.isEmpty && errors.isEmpty { refuse(.count, "count.invalid", "本行没有任何学段的专任教师数") }
            let totalText = TeacherRowValidator.clean(raw.total)
            if !totalText.isEmpty, errors.isEmpty {
                let sum = counts.reduce(0) { $0 + $1.1 }
                if let total = Self.number(totalText) {
                    if total != sum { refuse(.total, "total.mismatch", "合计为 \(total)，各学段之和为 \(sum)（相差 \(total - sum)）") }
                } else {
                    refuse(.total, "count.invalid", "合计“\(totalText)”不是整数")
                }
            }
        } else {
            let stage = Stage(label: stageText)
            if stageText.isEmpty { refuse(.stage, "stage.invalid", "学段为空") } else if stage == nil {
                refuse(.stage, "stage.invalid", "学段“\(stageText)”无效，应为幼儿园、中小学或中职")
            }
            let value = Self.number(raw.count)
            if value == nil { refuse(.count, "count.invalid", "专任教师数“\(raw.count)”不是人数，应为不小于 0 的整数") }
            if let stage, let value { counts.append((stage, value, .count)) }
        }

        if let region {
            for (stage, _, column) in counts {
                let key = region.code + "|" + stage.rawValue
                if let first = firstRow[key] {
                    refuse(column, "count.duplicate_in_file", "\(region.name)\(stage.label)的人数与第\(first)行重复")
                } else {
                    firstRow[key] = raw.row
                }
            }
        }
        guard errors.isEmpty, let region else {
            refusedSinceSubtotal = true
            refusedAny = true
            return errors
        }
        for (stage, value, _) in counts {
            entries.append(OfficialCountEntry(row: raw.row, county: region, stage: stage, teachers: value))
            sinceSubtotal[stage, default: 0] += value
            grand[stage, default: 0] += value
            byCounty[region.code, default: [:]][stage, default: 0] += value
        }
        return []
    }

    /// The checks that need the whole table: each city row against its counties' rows.
    public func finish() -> [RowIssue] {
        guard !refusedAny else { return [] }
        var errors: [RowIssue] = []
        for (raw, city) in cityRows {
            var sums: [Stage: Int] = [:]
            for entry in entries where entry.county.parentCode == city.code { sums[entry.stage, default: 0] += entry.teachers }
            errors += compareTotals(raw, sums: sums, label: city.name)
        }
        return errors
    }

    private func checkSubtotal(_ raw: RawOfficialCountRow, kind: SubtotalKind, label: String) -> [RowIssue] {
        let sums: [Stage: Int]
        let blind: Bool
        switch kind {
        case .group: sums = sinceSubtotal; blind = refusedSinceSubtotal
        case .grand: sums = grand; blind = refusedAny
        case .county(let code): sums = byCounty[code] ?? [:]; blind = refusedSinceSubtotal
        }
        // Totals over refused rows cannot be checked: the refused rows are reported already.
        if blind { return [] }
        return compareTotals(raw, sums: sums, label: label)
    }

    private func compareTotals(_ raw: RawOfficialCountRow, sums: [Stage: Int], label: String) -> [RowIssue] {
        var errors: [RowIssue] = []
        func compare(_ text: String, expected: Int, column: OfficialCountColumn, what: String) {
            let cleaned = TeacherRowValidator.clean(text)
            guard !cleaned.isEmpty else { return }
            guard let value = Self.number(cleaned) else {
                errors.append(RowIssue(row: raw.row, column: column.label, code: "count.invalid", message: "\(label)“\(cleaned)”不是整数"))
                return
            }
            if value != expected {
                errors.append(RowIssue(row: raw.row, column: column.label, code: "total.mismatch",
                                       message: "\(label)\(what)为 \(value)，对应各行之和为 \(expected)（相差 \(value - expected)），请核对"))
            }
        }
        let all = sums.values.reduce(0, +)
        if wide {
            for stage in Stage.allCases {
                guard let text = raw.stageCells[stage] else { continue }
                compare(text, expected: sums[stage] ?? 0, column: OfficialCountColumn.allCases.first { $0.stage == stage }!, what: "的\(stage.label)人数")
            }
            compare(raw.total, expected: all, column: .total, what: "的合计人数")
        } else if let stage = Stage(label: TeacherRowValidator.clean(raw.stage)) {
            compare(raw.count, expected: sums[stage] ?? 0, column: .count, what: "的\(stage.label)人数")
        } else {
            compare(raw.count, expected: all, column: .count, what: "人数")
        }
        return errors
    }

    /// A head count as typed or as Excel stored it: "1,234", "1234", "1234.0".
    static func number(_ text: String) -> Int? {
        var cleaned = TeacherRowValidator.halfWidth(TeacherRowValidator.clean(text)).replacingOccurrences(of: ",", with: "")
        if cleaned.hasSuffix(".0") { cleaned.removeLast(2) }
        guard !cleaned.isEmpty, cleaned.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), cleaned.utf8.count <= 9 else { return nil }
        return Int(cleaned)
    }
}
