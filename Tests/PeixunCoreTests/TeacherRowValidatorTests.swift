import Testing
@testable import PeixunCore

@Suite struct TeacherRowValidatorTests {
    var validator = TeacherRowValidator(regions: .sichuan, scope: .city("510100"), today: CivilDate(year: 2017, month: 3, day: 15)!)

    func row(_ values: [TeacherColumn: String], number: Bool = false) -> RawTeacherRow {
        var base: [TeacherColumn: String] = [.county: "锦江区", .school: "锦江区实验小学", .name: "张伟", .residentID: "11010519491231002X"]
        base.merge(values) { _, new in new }
        return RawTeacherRow(row: 7, values: base, idWasNumber: number)
    }

    @Test mutating func aGoodRowIsNormalised() throws {
        let outcome = validator.check(row([.name: " 李 娜 ", .residentID: "１１０１０５１９４９１２３１００２x", .phone: "139-1234-5678", .stage: "小学", .sex: "女"]))
        let checked = try #require(outcome.checked)
        #expect(checked.name == "李娜")
        #expect(checked.residentID.value == "11010519491231002X")
        #expect(checked.phone == "13912345678")
        #expect(checked.stage == .primarySecondary)
        #expect(checked.county.code == "510104")
        #expect(Set(outcome.notes.map(\.code)) == ["id.normalised", "phone.normalised"])
    }

    @Test mutating func historicCountyNamesAreAcceptedAndSaidBack() throws {
        let outcome = validator.check(row([.county: "郫县"]))
        #expect(outcome.checked?.county.code == "510117")
        #expect(outcome.notes.first?.code == "region.renamed")
        #expect(outcome.notes.first?.message.contains("郫都区") == true)
    }

    @Test(arguments: [
        ([TeacherColumn.residentID: "5101041990"], "id.length", "身份证号码"),
        ([.residentID: "51010419900101123A"], "id.charset", "身份证号码"),
        ([.residentID: "110105194912310021"], "id.checksum", "身份证号码"),
        ([.residentID: "510104199002301234"], "id.birthdate", "身份证号码"),
        ([.residentID: "5.10104E+17"], "id.excel_number", "身份证号码"),
        ([.name: ""], "name.missing", "教师姓名"),
        ([.county: "锦江县"], "region.unknown", "县(市、区)"),
        ([.county: "市中区"], "region.unknown", "县(市、区)"),
        ([.county: "自流井区"], "region.out_of_scope", "县(市、区)"),
        ([.school: ""], "school.unknown", "所在学校"),
        ([.stage: "大学"], "stage.invalid", "学段"),
        ([.phone: "1234"], "phone.invalid", "联系电话"),
        ([.sex: "男"], "sex.mismatch", "性别"),
    ])
    mutating func eachProblemHasItsCodeAndColumn(values: [TeacherColumn: String], code: String, column: String) {
        let outcome = validator.check(row(values))
        #expect(outcome.checked == nil)
        #expect(outcome.errors.contains { $0.code == code && $0.column == column && $0.row == 7 }, "\(outcome.errors)")
        #expect(outcome.errors.allSatisfy { !$0.message.isEmpty })
    }

    @Test mutating func anIDStoredAsANumberIsReportedAsSuch() {
        let outcome = validator.check(row([.residentID: "510104199001011000"], number: true))
        #expect(outcome.errors.map(\.code) == ["id.excel_number"])
        #expect(outcome.errors[0].message.contains("设为文本"))
    }

    @Test mutating func suggestionsAndAmbiguityAreSpelledOut() {
        let unknown = validator.check(row([.county: "锦江县"])).errors[0].message
        #expect(unknown.contains("是否为：锦江区"))
        var everywhere = TeacherRowValidator(regions: .sichuan, scope: .all)
        let ambiguous = everywhere.check(row([.county: "市中区"])).errors[0].message
        #expect(ambiguous.contains("内江市市中区") && ambiguous.contains("乐山市市中区"))
    }
}

@Suite struct UTF8BytesTests {
    @Test func comparesBytesNotCanonicalEquivalence() {
        #expect("锦江区实验小学".hasSameUTF8(as: "锦江区" + "实验小学"))
        #expect(!"锦江区实验小学".hasSameUTF8(as: "锦江区实验中学"))
        #expect("".hasSameUTF8(as: ""))
        #expect(!"a".hasSameUTF8(as: ""))
        // "é" precomposed and decomposed are equal to Swift's ==, not byte for byte.
        #expect("\u{E9}" == "e\u{301}" && !"\u{E9}".hasSameUTF8(as: "e\u{301}"))
        #expect(Stage(label: "中小学") == .primarySecondary && Stage(label: " 中职 ") == .vocational && Stage(label: "中小") == nil)
        #expect("李 娜".containsUTF8Byte { $0 == 32 } && !"李娜".containsUTF8Byte { $0 == 32 })
    }
}
