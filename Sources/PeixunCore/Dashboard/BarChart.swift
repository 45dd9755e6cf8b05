import Foundation

/// A horizontal bar chart drawn as an inline `<svg>` string, for pages that must print and
/// work without JavaScript. Each bar is one label (a city, a county, a year) with one value
/// per series (完成率; or 计划数 beside 已培训). The chart names itself for screen readers
/// (`<title>`, `<desc>`, `role="img"`); the page shows the same figures as a table.
///
/// Labels longer than `labelCharacters` are cut with “…” and the full name is kept in the
/// bar's own `<title>`, so a long Chinese name (“阿坝藏族羌族自治州”) never pushes the bars
/// out of the drawing. The drawing scales to its container (`viewBox`, width 100%).
public struct BarChart: Sendable, Equatable {
    public struct Series: Sendable, Equatable {
        public let name: String
        /// A CSS class for the bars' colour (`bar-a`, `bar-b`).
        public let cssClass: String

        public init(name: String, cssClass: String) {
            self.name = name
            self.cssClass = cssClass
        }
    }

    public struct Bar: Sendable, Equatable {
        public let label: String
        /// One value per series, in the series' order.
        public let values: [Double]

        public init(label: String, values: [Double]) {
            self.label = label
            self.values = values
        }
    }

    public enum Scale: Sendable, Equatable {
        /// Values in 0...1 shown as 66.3%.
        case rate
        /// Counts shown with thousands separators, the axis up to the largest value.
        case count
    }

    public let title: String
    public let summary: String
    public let series: [Series]
    public let bars: [Bar]
    public let scale: Scale
    /// What the page shows instead of an empty drawing.
    public let emptyText: String

    public init(title: String, summary: String, series: [Series], bars: [Bar], scale: Scale, emptyText: String = "暂无数据") {
        self.title = title
        self.summary = summary
        self.series = series
        self.bars = bars
        self.scale = scale
        self.emptyText = emptyText
    }

    static let width = 640.0
    static let labelWidth = 150.0
    static let valueWidth = 70.0
    static let barHeight = 14.0
    static let barGap = 2.0
    static let groupGap = 8.0
    static let labelCharacters = 9

    public var isEmpty: Bool { bars.isEmpty || series.isEmpty }

    /// The largest value the axis shows: 100% for rates, the largest count otherwise.
    var axisMaximum: Double {
        switch scale {
        case .rate: return 1
        case .count: return max(bars.flatMap(\.values).max() ?? 0, 1)
        }
    }

    public func format(_ value: Double) -> String {
        switch scale {
        case .rate: return String(format: "%.1f%%", value * 100)
        case .count: return Self.grouped(Int(value.rounded()))
        }
    }

    public static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// The label as drawn: at most `labelCharacters` characters, else cut with “…”.
    static func shortLabel(_ label: String) -> String {
        label.count <= labelCharacters ? label : String(label.prefix(labelCharacters - 1)) + "…"
    }

    /// The `<svg>` element, or an empty-state paragraph when there is nothing to draw.
    public var svg: String {
        guard !isEmpty else { return "<p class=\"chart-empty\">\(Self.escape(emptyText))</p>" }
        let groupHeight = Double(series.count) * (Self.barHeight + Self.barGap) - Self.barGap
        let legendHeight = series.count > 1 ? 22.0 : 0
        let height = legendHeight + Double(bars.count) * (groupHeight + Self.groupGap) + 4
        let plotWidth = Self.width - Self.labelWidth - Self.valueWidth
        var out = "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(Int(Self.width)) \(Int(height.rounded(.up)))\" "
            + "width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" aria-labelledby=\"\(id)-t \(id)-d\" xmlns=\"http://www.w3.org/2000/svg\">"
        out += "<title id=\"\(id)-t\">\(Self.escape(title))</title><desc id=\"\(id)-d\">\(Self.escape(summary))</desc>"
        if series.count > 1 {
            var x = Self.labelWidth
            for item in series {
                out += "<rect class=\"\(Self.escape(item.cssClass))\" x=\"\(Self.number(x))\" y=\"4\" width=\"12\" height=\"12\"/>"
                out += "<text x=\"\(Self.number(x + 16))\" y=\"14\" class=\"chart-legend\">\(Self.escape(item.name))</text>"
                x += 16 + Double(item.name.count) * 13 + 20
            }
        }
        var y = legendHeight
        for bar in bars {
            let middle = y + groupHeight / 2 + 4
            out += "<g><title>\(Self.escape(bar.label))：\(Self.escape(zip(series, bar.values).map { "\($0.name) \(format($1))" }.joined(separator: "，")))</title>"
            out += "<text x=\"\(Self.number(Self.labelWidth - 6))\" y=\"\(Self.number(middle))\" text-anchor=\"end\" class=\"chart-label\">\(Self.escape(Self.shortLabel(bar.label)))</text>"
            for (index, item) in series.enumerated() {
                let value = index < bar.values.count ? max(bar.values[index], 0) : 0
                let top = y + Double(index) * (Self.barHeight + Self.barGap)
                let length = min(value / axisMaximum, 1) * plotWidth
                out += "<rect class=\"\(Self.escape(item.cssClass))\" x=\"\(Self.number(Self.labelWidth))\" y=\"\(Self.number(top))\" "
                    + "width=\"\(Self.number(length))\" height=\"\(Self.number(Self.barHeight))\"/>"
                out += "<text x=\"\(Self.number(Self.labelWidth + length + 4))\" y=\"\(Self.number(top + Self.barHeight - 3))\" class=\"chart-value\">\(Self.escape(format(value)))</text>"
            }
            out += "</g>"
            y += groupHeight + Self.groupGap
        }
        return out + "</svg>"
    }

    /// A stable id for the title and description, from the title (several charts on a page).
    var id: String {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in title.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        return "chart-" + String(hash % 1_000_000_007, radix: 36)
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    /// Text and attribute values: &, <, >, " and ' escaped; control characters dropped.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
