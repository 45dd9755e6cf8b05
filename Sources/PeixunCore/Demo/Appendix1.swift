/// The figures of the notice's Appendix 1 (全省中小学教师信息技术应用能力提升工程培训实施情况统计表):
/// official full-time teachers of school year 2015/2016 by stage and teachers trained in
/// 2014–2016, per city. The demo province reproduces every row.
public enum Appendix1 {
    public static let reportYear = 2016
    public static let schoolYear = 2015

    public static let cities: [(code: String, figures: ProgressFigures)] = [
        ("510100", .init(kindergarten: 28299, primarySecondary: 95455, vocational: 9988, trained: 82037)),
        ("510300", .init(kindergarten: 2611, primarySecondary: 16698, vocational: 1122, trained: 14065)),
        ("510400", .init(kindergarten: 1611, primarySecondary: 10078, vocational: 557, trained: 5541)),
        ("510500", .init(kindergarten: 4683, primarySecondary: 32911, vocational: 2095, trained: 31699)),
        ("510600", .init(kindergarten: 3071, primarySecondary: 21817, vocational: 1276, trained: 24374)),
        ("510700", .init(kindergarten: 5919, primarySecondary: 35433, vocational: 1716, trained: 34507)),
        ("510800", .init(kindergarten: 2287, primarySecondary: 22488, vocational: 1193, trained: 23154)),
        ("510900", .init(kindergarten: 3994, primarySecondary: 23782, vocational: 1518, trained: 18949)),
        ("511000", .init(kindergarten: 3755, primarySecondary: 23992, vocational: 1530, trained: 13025)),
        ("511100", .init(kindergarten: 4407, primarySecondary: 21979, vocational: 1565, trained: 21469)),
        ("511300", .init(kindergarten: 4921, primarySecondary: 46542, vocational: 3232, trained: 20858)),
        ("511500", .init(kindergarten: 5664, primarySecondary: 39132, vocational: 2644, trained: 27632)),
        ("511400", .init(kindergarten: 3297, primarySecondary: 19970, vocational: 1345, trained: 20201)),
        ("511600", .init(kindergarten: 3847, primarySecondary: 28824, vocational: 1372, trained: 27061)),
        ("511700", .init(kindergarten: 5538, primarySecondary: 43873, vocational: 3432, trained: 24532)),
        ("511800", .init(kindergarten: 1625, primarySecondary: 11081, vocational: 407, trained: 9630)),
        ("511900", .init(kindergarten: 1864, primarySecondary: 28474, vocational: 1649, trained: 25543)),
        ("512000", .init(kindergarten: 3124, primarySecondary: 18301, vocational: 892, trained: 15322)),
        ("513200", .init(kindergarten: 1003, primarySecondary: 10244, vocational: 361, trained: 10218)),
        ("513300", .init(kindergarten: 1230, primarySecondary: 10919, vocational: 291, trained: 3618)),
        ("513400", .init(kindergarten: 4135, primarySecondary: 39231, vocational: 1392, trained: 35321)),
    ]

    /// The notice's own 小计 row. Its trained (488,957) and untrained (248,729) figures differ
    /// by 201 from the sum of its rows (488,756 and 248,930); reports show the sum of the rows.
    public static let printedSubtotal = (total: 737_686, trained: 488_957, untrained: 248_729)

    /// 备注 under the table, as printed in the notice.
    public static let footnotes = [
        "1.本表是以市(州)为单位的统计汇总表，其中“专任教师数”数据来源：四川省教育事业统计信息简况(2015/2016学年初)，包含幼儿园、小学、初中、普通高中和中职学校专任教师数；",
        "2.“已培训人数”数据来源：通过“省级培训管理系统”采集的2014年—2016年参加国培、省培、市培、县培的培训人数。其中含教育部“中国移动中小学教师信息技术能力培训”、“中国电信中小学校长信息技术应用能力提升项目”、“示范性网络研修与校本研修整合项目(盐亭、泸县、江安三个项目县)”与“四川省民族地区中小学教师信息技术应用能力培训”等4个合作项目的培训人数；",
        "3.“未培训人数”即2017年培训任务数。",
    ]
}

/// The four cooperation projects the notice folds into the programme (exact names).
public enum CooperationProjects {
    public struct Definition: Sendable, Hashable {
        public let name: String
        public let organiser: String
        public let startYear: Int
        public let endYear: Int
        /// Empty: open to every county.
        public let pilotCountyCodes: [String]
        /// Empty: every city.
        public let cityCodes: [String]
    }

    public static let all: [Definition] = [
        Definition(name: "中国移动中小学教师信息技术能力培训", organiser: "教育部 中国移动通信集团公司", startYear: 2014, endYear: 2017, pilotCountyCodes: [], cityCodes: []),
        Definition(name: "中国电信中小学校长信息技术应用能力提升项目", organiser: "教育部 中国电信集团公司", startYear: 2014, endYear: 2017, pilotCountyCodes: [], cityCodes: []),
        Definition(name: "示范性网络研修与校本研修整合项目", organiser: "教育部教师工作司", startYear: 2014, endYear: 2017, pilotCountyCodes: ["510723", "510521", "511523"], cityCodes: []),
        Definition(name: "四川省民族地区中小学教师信息技术应用能力培训", organiser: "四川省教育厅", startYear: 2014, endYear: 2017, pilotCountyCodes: [], cityCodes: ["513200", "513300", "513400"]),
    ]
}
