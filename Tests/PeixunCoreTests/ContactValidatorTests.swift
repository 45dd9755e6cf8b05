import Testing
@testable import PeixunCore

@Suite struct ContactValidatorTests {
    let good = ContactInput(department: "教师工作科", person: "张 伟", title: "科长", officePhone: "028-86112233",
                            mobile: "13812345678", email: "Peixun@SCEDU.net")

    @Test func aCompleteContactIsCleanedAndNormalised() throws {
        let contact = try ContactValidator.validate(good).get()
        #expect(contact.person == "张伟")
        #expect(contact.officePhone == "028-86112233")
        #expect(contact.email == "Peixun@scedu.net")
    }

    @Test(arguments: [
        ("028-86112233", "028-86112233"), ("(0833)2123456", "0833-2123456"), ("（0833）2123456", "0833-2123456"),
        ("0833-2123456-801", "0833-2123456-801"), ("028-86112233转801", "028-86112233-801"), ("０２８－８６１１２２３３", "028-86112233"),
        ("0816 2223344", nil), ("86112233", nil), ("028-8611223", nil), ("28-86112233", nil), ("028-86112233-1234567", nil),
        ("(0833-2123456", nil), ("028-13812345678", nil),
    ] as [(String, String?)])
    func officePhones(_ text: String, _ expected: String?) {
        #expect(ContactValidator.officePhone(text) == expected)
    }

    @Test(arguments: [
        ("13812345678", "13812345678"), ("+86 138 1234 5678", "13812345678"), ("199-0000-1111", "19900001111"),
        ("12812345678", nil), ("1381234567", nil), ("23812345678", nil), ("138123456789", nil),
    ] as [(String, String?)])
    func mobiles(_ text: String, _ expected: String?) {
        #expect(ContactValidator.mobile(text) == expected)
    }

    @Test(arguments: [
        ("a.b@sc.edu.cn", "a.b@sc.edu.cn"), ("x@EXAMPLE.COM", "x@example.com"),
        ("a@b", nil), ("@sc.edu.cn", nil), ("a@@b.cn", nil), ("a b@c.cn", "ab@c.cn"), ("a@-b.cn", nil), ("a..b@c.cn", nil), ("a@b.c1", nil),
    ] as [(String, String?)])
    func emails(_ text: String, _ expected: String?) {
        #expect(ContactValidator.email(text) == expected)
    }

    @Test func everyProblemNamesItsField() throws {
        var input = good
        input.department = " "
        input.person = "张伟2"
        input.officePhone = "86112233"
        input.mobile = "12345"
        input.email = "peixun"
        input.title = nil
        guard case .failure(let refusal) = ContactValidator.validate(input) else { Issue.record("accepted"); return }
        let columns = refusal.issues.map(\.column)
        #expect(columns == ["责任部门", "联系人", "职务", "办公电话", "手机", "电子邮箱"])
        #expect(refusal.issues.map(\.code).contains("contact.mobile.invalid"))
        #expect(refusal.message.contains("办公电话：办公电话格式不正确"))
        #expect(refusal.issues.first { $0.column == "职务" }?.message == "请填写职务")
    }

    @Test func tooLongTextIsRefused() {
        var input = good
        input.department = String(repeating: "部", count: 61)
        guard case .failure(let refusal) = ContactValidator.validate(input) else { Issue.record("accepted"); return }
        #expect(refusal.issues.map(\.code) == ["contact.department.too_long"])
    }

    @Test func reportingStatus() {
        let deadline = CivilDate(year: 2017, month: 3, day: 31)!
        #expect(ReportingStatus.of(state: .submitted, submittedOn: deadline, deadline: deadline) == .onTime)
        #expect(ReportingStatus.of(state: .approved, submittedOn: CivilDate(year: 2017, month: 4, day: 1), deadline: deadline) == .late)
        #expect(ReportingStatus.of(state: .returned, submittedOn: deadline, deadline: deadline) == .missing)
        #expect(ReportingStatus.of(state: .open, submittedOn: nil, deadline: deadline) == .missing)
        #expect(ReportingStatus.combined([.onTime, .late]) == .late)
        #expect(ReportingStatus.combined([.late, .missing]) == .missing)
    }
}
