import Testing
@testable import PeixunCore

@Suite struct ResidentIDTests {
    let today = CivilDate(year: 2026, month: 11, day: 29)!

    @Test func acceptsAValidNumberAndExposesBirthDateAndSex() throws {
        let parsed = try ResidentID.parse("11010519491231002X", today: today)
        #expect(parsed.id.value == "11010519491231002X")
        #expect(parsed.id.birthDate == CivilDate(year: 1949, month: 12, day: 31))
        #expect(parsed.id.sex == .female)
        #expect(parsed.id.areaCode == "110105")
        #expect(parsed.normalisations.isEmpty)
        #expect(parsed.id.masked == "110105********002X")
    }

    @Test func normalisesFullWidthSpacesAndLowerCaseX() throws {
        let parsed = try ResidentID.parse(" １１０１０５ 19491231002x ", today: today)
        #expect(parsed.id.value == "11010519491231002X")
        #expect(parsed.normalisations == [.removedSpaces, .fullWidthCharacters, .lowerCaseX])
    }

    @Test func upgradesFifteenDigitNumbers() throws {
        let parsed = try ResidentID.parse("510104650315123", today: today)
        #expect(parsed.id.value.hasPrefix("51010419650315123"))
        #expect(parsed.id.value.count == 18)
        #expect(parsed.normalisations == [.upgradedFrom15Digits])
        #expect(parsed.id.sex == .male)
    }

    @Test(arguments: [
        ("5101041990", "id.length"),
        ("51010419900101123A", "id.charset"),
        ("510104199001011231", "id.checksum"),
        ("510104199002301234", "id.birthdate"),
        ("510104203001011234", "id.birthdate"),
        ("990104199001011234", "id.region"),
        ("5.10104E+17", "id.excel_number"),
        ("510104199001011000", "id.excel_number"),
        ("", "id.missing"),
    ])
    func refusesWithADistinctCode(raw: String, code: String) {
        #expect(throws: ResidentIDError.self) { try ResidentID.parse(raw, today: today) }
        do {
            _ = try ResidentID.parse(raw, today: today)
        } catch {
            #expect(error.code == code, "\(raw) gave \(error.code)")
            #expect(!error.message.isEmpty)
        }
    }

    @Test func checksumMessageNamesTheExpectedCharacter() {
        do {
            _ = try ResidentID.parse("110105194912310021", today: today)
            Issue.record("accepted a wrong check digit")
        } catch {
            #expect(error == .checksum(expected: "X"))
            #expect(error.message.contains("校验位错误"))
        }
    }

    @Test func excelNumberMessageTellsHowToFixTheColumn() {
        do {
            _ = try ResidentID.parse("5.10104199E+17", today: today)
            Issue.record("accepted a number in scientific notation")
        } catch {
            #expect(error.message == "身份证号被保存为数字格式，末几位已丢失，请将该列设为文本后重新填写")
        }
    }

    @Test func completingComputesTheCheckCharacter() throws {
        let id = ResidentID.completing(body: "11010519491231002")
        #expect(id.value == "11010519491231002X")
        #expect(try ResidentID.parse(id.value, today: today).id == id)
    }

    @Test func leapDaysAreRealDatesOnlyInLeapYears() throws {
        let leap = ResidentID.completing(body: "51010420000229123")
        #expect(try ResidentID.parse(leap.value, today: today).id.birthDate.day == 29)
        let notLeap = ResidentID.completing(body: "51010419000229123")
        #expect(throws: ResidentIDError.birthDate("19000229")) { try ResidentID.parse(notLeap.value, today: today) }
    }
}
