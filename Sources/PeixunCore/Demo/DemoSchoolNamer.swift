/// Names schools the way county offices do: 实验小学, 第三中学, 白果镇中心小学.
struct DemoSchoolNamer {
    let county: Region
    let provinceName: String
    private var ordinals: [SchoolKind: Int] = [:]

    init(county: Region, provinceName: String = "四川省") {
        self.county = county
        self.provinceName = provinceName
    }

    mutating func next(kind: SchoolKind, used: inout Set<String>, random: inout SeededGenerator) -> String {
        for _ in 0..<6 {
            let candidate = propose(kind: kind, random: &random)
            if used.insert(candidate).inserted { return candidate }
        }
        while true {
            let ordinal = (ordinals[kind] ?? 0) + 1
            ordinals[kind] = ordinal
            let candidate = county.name + "第" + DemoNames.chineseOrdinal(ordinal) + suffix(kind)
            if used.insert(candidate).inserted { return candidate }
        }
    }

    private func suffix(_ kind: SchoolKind) -> String {
        switch kind {
        case .kindergarten: "幼儿园"
        case .primary: "小学"
        case .juniorSecondary, .seniorSecondary, .completeSecondary: "中学"
        case .nineYear: "九年制学校"
        case .vocational: "职业中学"
        }
    }

    private mutating func propose(kind: SchoolKind, random: inout SeededGenerator) -> String {
        let town = DemoNames.town(using: &random)
        let townKind = DemoNames.townSuffix.randomElement(using: &random)!
        let useTown = Double.random(in: 0..<1, using: &random) < 0.6
        switch kind {
        case .kindergarten:
            return useTown ? "\(county.name)\(town)\(townKind)中心幼儿园" : "\(county.name)\(["实验", "机关", "第一", "第二", "阳光", "七彩"].randomElement(using: &random)!)幼儿园"
        case .primary:
            return useTown ? "\(county.name)\(town)\(townKind)中心小学校" : "\(county.name)\(["实验", "城关", "东城", "西街", "南街"].randomElement(using: &random)!)小学"
        case .juniorSecondary:
            return useTown ? "\(county.name)\(town)\(townKind)初级中学" : "\(county.name)\(["城关", "实验", "东辰", "外国语"].randomElement(using: &random)!)初级中学"
        case .nineYear:
            return "\(county.name)\(town)九年制学校"
        case .seniorSecondary:
            return "\(provinceName)\(county.name)\(["中学", "第一中学", "第二中学", "实验中学"].randomElement(using: &random)!)"
        case .completeSecondary:
            return "\(county.name)\(town)中学"
        case .vocational:
            return "\(county.name)\(["职业中学", "职业技术学校", "职业高级中学", "中等职业技术学校"].randomElement(using: &random)!)"
        }
    }
}
