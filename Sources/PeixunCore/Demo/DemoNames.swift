/// Plausible Chinese personal, place and school names for the demo province.
enum DemoNames {
    // Roughly by frequency in Sichuan; the first names repeat to weight them.
    static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤王李张刘陈杨黄赵吴周罗何杨李王张刘陈").map(String.init)
    static let givenCharacters = Array("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文辉玲红梅燕琳婷雪晶宇浩然欣怡子涵俊杰思远佳琪梓萱雨轩志强春林海燕晓东丹丹小红玉兰德明成刚永红莉亚蓉琴川蜀")
        .map(String.init)
    /// Yi and Tibetan names, written in Chinese characters as they appear on ID cards.
    static let yiNames = ["阿西木呷", "吉克曲布", "阿苦日莫", "沙马阿呷", "吉伍拉哈", "俄木沙马", "海来阿木", "马海依惹", "阿约莫", "曲比阿乌", "勒格伍呷", "吉吉克古"]
    static let tibetanNames = ["扎西卓玛", "泽仁拉姆", "格绒达瓦", "次仁曲珍", "央金拉姆", "降央措姆", "洛绒尼玛", "阿旺索朗", "德吉卓嘎", "呷绒多吉", "尼玛泽仁让布"]

    static let townFirst = Array("龙石白青新金凤马桥清平安兴永高太华双三长大东西南黄花柏杨河云红普福宝").map(String.init)
    static let townSecond = Array("泉桥马龙江溪坝场口山林水寺滩田湾坪岩池塘源关庙沟河堰阳丰和").map(String.init)
    static let townSuffix = ["镇", "镇", "乡", "街道"]

    static let numerals = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"]

    static func chineseOrdinal(_ number: Int) -> String {
        switch number {
        case 1..<10: return numerals[number]
        case 10: return "十"
        case 11..<20: return "十" + numerals[number - 10]
        case 20..<100: return numerals[number / 10] + "十" + numerals[number % 10]
        default: return String(number)
        }
    }

    static func personName(cityCode: String, using random: inout SeededGenerator) -> String {
        let ethnicShare: Double = switch cityCode {
        case "513400": 0.22
        case "513200", "513300": 0.30
        default: 0
        }
        if ethnicShare > 0, Double.random(in: 0..<1, using: &random) < ethnicShare {
            let pool = cityCode == "513400" ? yiNames : tibetanNames
            return pool.randomElement(using: &random)!
        }
        var name = surnames.randomElement(using: &random)!
        let length = Double.random(in: 0..<1, using: &random) < 0.3 ? 1 : 2
        for _ in 0..<length { name += givenCharacters.randomElement(using: &random)! }
        return name
    }

    static func mobile(using random: inout SeededGenerator) -> String {
        let prefixes = ["135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182", "183", "187", "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "180", "181", "189", "177", "199"]
        var number = prefixes.randomElement(using: &random)!
        for _ in 0..<8 { number += String(Int.random(in: 0...9, using: &random)) }
        return number
    }

    static func town(using random: inout SeededGenerator) -> String {
        townFirst.randomElement(using: &random)! + townSecond.randomElement(using: &random)!
    }
}
