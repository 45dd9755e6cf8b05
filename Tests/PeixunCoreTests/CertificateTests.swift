import PeixunCore
import Testing

@Suite("证书编号、核验令牌与结业条件")
struct CertificateTests {
    @Test("编号：年度、县级代码、流水号与 ISO 7064 校验码")
    func numberLayout() {
        let number = CertificateNumber(year: 2017, countyCode: "510104", serial: 123)
        #expect(number.value.count == 17)
        #expect(number.value.hasPrefix("2017510104000123"))
        #expect(number.year == 2017 && number.countyCode == "510104" && number.serial == 123)
        #expect(CertificateNumber(parsing: number.value) == number)
        #expect(CertificateNumber(parsing: "2017 510104-000123 " + String(number.value.last!)) == number)
        let fullWidth = String(number.value.unicodeScalars.map { $0.value >= 48 && $0.value <= 57 ? Character(Unicode.Scalar($0.value - 48 + 0xFF10)!) : Character($0) })
        #expect(CertificateNumber(parsing: fullWidth) == number)
    }

    @Test("校验码发现任何一位抄错和相邻两位颠倒")
    func checkCatchesTypos() {
        for serial in [1, 7, 123, 4_567, 999_999] {
            let value = Array(CertificateNumber(year: 2017, countyCode: "511102", serial: serial).value)
            for index in 0..<16 {
                for digit in "0123456789" where digit != value[index] {
                    var wrong = value
                    wrong[index] = digit
                    #expect(CertificateNumber(parsing: String(wrong)) == nil)
                }
                if index < 15, value[index] != value[index + 1] {
                    var swapped = value
                    swapped.swapAt(index, index + 1)
                    #expect(CertificateNumber(parsing: String(swapped)) == nil)
                }
            }
        }
    }

    @Test("编号格式不对的一律不认", arguments: ["", "2017", "20175101040001230000", "2017510104000000" + "X", "abc51010400012345", "2017510104000123 5 5"])
    func malformedNumbers(_ text: String) {
        #expect(CertificateNumber(parsing: text) == nil)
    }

    @Test("核验令牌：26 位 base32（130 位随机数），一万个互不相同")
    func tokens() {
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let token = VerificationToken.random()
            #expect(token.value.count == 26)
            #expect(VerificationToken(parsing: token.value.uppercased()) == token)
            seen.insert(token.value)
        }
        #expect(seen.count == 10_000)
        #expect(VerificationToken(parsing: "0123456789abcdefghijklmnop") == nil)
        #expect(VerificationToken(parsing: "abc") == nil)
    }

    @Test("结业条件：默认任一层级一项合格；可配置项数与层级")
    func completionRule() {
        let passed = CompletionRule.Record(year: 2016, project: "合作项目A", level: .cooperation, result: .passed)
        let failed = CompletionRule.Record(year: 2015, project: "国培B", level: .national, result: .failed)
        let inProgress = CompletionRule.Record(year: 2017, project: "省培C", level: .provincial, result: .inProgress)
        #expect(CompletionRule.standard.qualifying([failed, passed, inProgress]) == [passed])
        #expect(CompletionRule.standard.qualifying([failed, inProgress]) == nil)
        #expect(CompletionRule.standard.qualifying([]) == nil)
        let strict = CompletionRule(configuration: "min=2;levels=national,provincial")
        #expect(strict == CompletionRule(minimumPassed: 2, levels: [.national, .provincial]))
        #expect(strict?.qualifying([passed, .init(year: 2014, project: "国培", level: .national, result: .passed)]) == nil)
        #expect(CompletionRule(configuration: "levels=cooperation")?.qualifying([passed]) == [passed])
        for bad in ["min=0", "min=x", "levels=", "levels=city,moon", "foo=1", "min"] {
            #expect(CompletionRule(configuration: bad) == nil, "\(bad)")
        }
        #expect(CompletionRule.standard.description == "至少 1 项合格的培训记录（国培、省培、市培、县培、合作项目）")
    }

    @Test("核验页只显示姓名首尾字", arguments: [("张三", "张*"), ("李小明", "李*明"), ("欧阳㛃䶮𠇔", "欧***𠇔"), ("王", "*"), ("", "")])
    func maskedNames(_ name: String, _ masked: String) {
        #expect(name.maskedPersonName == masked)
    }
}
