import Testing
@testable import PeixunCore

@Suite struct TextCleaningTests {
    @Test(arguments: [
        ("\u{FEFF}张伟", "张伟"),
        ("张\u{200B}伟\u{200D}", "张伟"),
        ("\u{00A0}李\u{3000}娜\t", "李娜"),
        ("王\u{0007}芳\u{007F}\u{0085}", "王芳"),
        ("\u{202E}赵敏\u{202C}", "赵敏"),
        ("锦江区\u{2028}实验小学", "锦江区实验小学"),
        ("  Anna \u{00A0}  Smith  ", "Anna Smith"),
        ("三 年级 Grade  3", "三年级Grade 3"),
        ("", ""),
    ])
    func removesWhatCannotBeSeenAndFoldsSpaces(raw: String, cleaned: String) {
        #expect(TextCleaning.clean(raw) == cleaned)
    }

    @Test func leavesCleanTextAsItIs() {
        let text = "成都市锦江区实验小学（东区）"
        #expect(TextCleaning.clean(text).hasSameUTF8(as: text))
    }

    @Test func anIDWithAByteOrderMarkStillParses() throws {
        let parsed = try ResidentID.parse("\u{FEFF}11010519491231002X\u{200B}")
        #expect(parsed.id.value == "11010519491231002X")
    }
}

@Suite struct PersonNameTests {
    @Test(arguments: [
        ("张伟", "张伟"), ("\u{FEFF}张伟", "张伟"), ("李 娜", "李娜"),
        ("买买提·艾力", "买买提·艾力"), ("买买提•艾力", "买买提·艾力"), ("买买提．艾力", "买买提·艾力"), ("阿依古丽・吐尔逊", "阿依古丽·吐尔逊"),
        ("王㛃", "王㛃"), ("刘䶮", "刘䶮"), ("李𠇔", "李𠇔"), ("张〇", "张〇"),
        ("Anna Smith", "Anna Smith"), ("O’Neil", "O'Neil"), ("Jean-Luc Picard", "Jean-Luc Picard"), ("José Núñez", "José Núñez"),
    ])
    func acceptsRealNames(raw: String, stored: String) throws {
        #expect(try PersonName.check(raw).get() == stored)
    }

    @Test(arguments: ["@SUM(1+1)", "=HYPERLINK(\"http://x\")", "+86张伟", "-张伟", "张伟2", "张伟3号", "张<b>伟", "张伟（代）", "·张伟", "张伟·", "张··伟", "😀", "张_伟", "Smith-"])
    func refusesAnythingElseWithItsOwnCode(raw: String) {
        guard case .failure(let refusal) = PersonName.check(raw) else {
            Issue.record("accepted \(raw)")
            return
        }
        #expect(refusal.code == "name.invalid")
        #expect(refusal.message.contains("姓名只能由汉字"))
    }

    @Test func emptyAndInvisibleOnlyAreMissing() {
        for raw in ["", "  ", "\u{FEFF}\u{200B}"] {
            #expect((try? PersonName.check(raw).get()) == nil)
            if case .failure(let refusal) = PersonName.check(raw) { #expect(refusal.code == "name.missing") }
        }
    }

    @Test func aRosterRowWithAFormulaAsNameIsRefusedAtItsCell() {
        var validator = TeacherRowValidator(regions: .sichuan, scope: .all, today: CivilDate(year: 2017, month: 3, day: 15)!)
        let outcome = validator.check(RawTeacherRow(row: 9, values: [.county: "锦江区", .school: "锦江区实验小学", .name: "=1+1", .residentID: "11010519491231002X"]))
        #expect(outcome.checked == nil)
        #expect(outcome.errors.map(\.code) == ["name.invalid"])
        #expect(outcome.errors.first?.row == 9 && outcome.errors.first?.column == "教师姓名")
        let clean = validator.check(RawTeacherRow(row: 10, values: [.county: "\u{FEFF}锦江区", .school: "锦江区\u{200B}实验小学", .name: "\u{FEFF}张伟", .residentID: "11010519491231002X"]))
        #expect(clean.checked?.name == "张伟" && clean.checked?.schoolName == "锦江区实验小学")
    }
}
