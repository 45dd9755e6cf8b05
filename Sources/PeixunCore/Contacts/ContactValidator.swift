import Foundation

/// One unit's project contact (附件4 项目联系人信息表): the department responsible, the person,
/// their title (职务), office phone, mobile and email.
public struct ContactDetails: Sendable, Codable, Equatable {
    public var department: String
    public var person: String
    public var title: String
    public var officePhone: String
    public var mobile: String
    public var email: String

    public init(department: String, person: String, title: String, officePhone: String, mobile: String, email: String) {
        self.department = department
        self.person = person
        self.title = title
        self.officePhone = officePhone
        self.mobile = mobile
        self.email = email
    }
}

/// What a form or an API body brings: any field may be missing.
public struct ContactInput: Sendable, Codable, Equatable {
    public var department: String?
    public var person: String?
    public var title: String?
    public var officePhone: String?
    public var mobile: String?
    public var email: String?

    public init(department: String? = nil, person: String? = nil, title: String? = nil, officePhone: String? = nil,
                mobile: String? = nil, email: String? = nil) {
        self.department = department
        self.person = person
        self.title = title
        self.officePhone = officePhone
        self.mobile = mobile
        self.email = email
    }
}

/// Checks a contact field by field; every problem is a `RowIssue` whose column is the field's
/// Chinese name (as on Appendix 4) and whose message says what is expected.
public enum ContactValidator {
    public enum Field: String, CaseIterable, Sendable {
        case department, person, title, officePhone, mobile, email

        /// The column heading of Appendix 4.
        public var label: String {
            switch self {
            case .department: "责任部门"
            case .person: "联系人"
            case .title: "职务"
            case .officePhone: "办公电话"
            case .mobile: "手机"
            case .email: "电子邮箱"
            }
        }

        var maxLength: Int {
            switch self {
            case .department: 60
            case .person: 30
            case .title: 30
            case .officePhone: 30
            case .mobile: 11
            case .email: 100
            }
        }
    }

    /// The cleaned, normalised contact, or every issue found.
    public static func validate(_ input: ContactInput) -> Result<ContactDetails, InputRefusal> {
        var issues: [RowIssue] = []
        func issue(_ field: Field, _ code: String, _ message: String) {
            issues.append(RowIssue(row: 1, column: field.label, code: "contact.\(code)", message: message))
        }
        func text(_ field: Field, _ value: String?) -> String {
            let cleaned = TextCleaning.clean(value ?? "")
            if cleaned.isEmpty {
                issue(field, "\(field.rawValue).missing", "请填写\(field.label)")
            } else if cleaned.count > field.maxLength {
                issue(field, "\(field.rawValue).too_long", "\(field.label)不能超过 \(field.maxLength) 个字")
            }
            return cleaned
        }
        let department = text(.department, input.department)
        let person = text(.person, input.person)
        if !person.isEmpty, person.count <= Field.person.maxLength, !isName(person) {
            issue(.person, "person.invalid", "联系人姓名只能由汉字、间隔号（·）或英文字母组成，不能含数字或符号：\(person)")
        }
        let title = text(.title, input.title)
        var office = text(.officePhone, input.officePhone)
        if !office.isEmpty, office.count <= Field.officePhone.maxLength {
            if let normalised = officePhone(office) {
                office = normalised
            } else {
                issue(.officePhone, "officePhone.invalid",
                      "办公电话格式不正确：\(office)。请填写带区号的固定电话，如 028-86112233 或 (0833)2123456，分机号写在最后，如 028-86112233-801")
            }
        }
        var mobileText = TextCleaning.clean(input.mobile ?? "")
        if mobileText.isEmpty {
            issue(.mobile, "mobile.missing", "请填写手机")
        } else if let normalised = mobile(mobileText) {
            mobileText = normalised
        } else {
            issue(.mobile, "mobile.invalid", "手机号码格式不正确：\(mobileText)。应为 11 位中国大陆手机号码，以 13–19 开头，如 13812345678")
        }
        var emailText = text(.email, input.email)
        if !emailText.isEmpty, emailText.count <= Field.email.maxLength {
            if let normalised = email(emailText) {
                emailText = normalised
            } else {
                issue(.email, "email.invalid", "电子邮箱格式不正确：\(emailText)。应如 peixun@scedu.net")
            }
        }
        guard issues.isEmpty else { return .failure(InputRefusal(issues: issues)) }
        return .success(ContactDetails(department: department, person: person, title: title, officePhone: office,
                                       mobile: mobileText, email: emailText))
    }

    /// Full-width digits and punctuation become ASCII; spaces go.
    static func halfWidth(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0xFF01...0xFF5E: result.unicodeScalars.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
            case 0x3000, 0x20: continue
            case 0x2010...0x2015, 0x2212: result.append("-")
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A mainland mobile number, 1[3-9] and nine more digits (a +86 or 86 prefix and separators are dropped).
    public static func mobile(_ text: String) -> String? {
        var digits = halfWidth(text).replacingOccurrences(of: "-", with: "")
        if digits.hasPrefix("+86") { digits.removeFirst(3) } else if digits.hasPrefix("86"), digits.count == 13 { digits.removeFirst(2) }
        guard digits.count == 11, digits.allSatisfy(\.isASCIIDigit), digits.hasPrefix("1"),
              let second = digits.dropFirst().first, ("3"..."9").contains(second) else { return nil }
        return digits
    }

    /// A fixed line with its area code: `028-86112233`, `(0833)2123456`, `028 8611 2233`,
    /// with an extension after `-`, `转` or `ext`; returned as `028-86112233` or `0833-2123456-801`.
    public static func officePhone(_ text: String) -> String? {
        var rest = Substring(halfWidth(text).replacingOccurrences(of: "转", with: "-").replacingOccurrences(of: "ext.", with: "-")
            .replacingOccurrences(of: "ext", with: "-"))
        var area = ""
        if rest.hasPrefix("(") {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            area = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
            if rest.hasPrefix("-") { rest = rest.dropFirst() }
        } else if let dash = rest.firstIndex(of: "-") {
            area = String(rest[..<dash])
            rest = rest[rest.index(after: dash)...]
        } else {
            return nil
        }
        guard area.count >= 3, area.count <= 4, area.hasPrefix("0"), area.allSatisfy(\.isASCIIDigit) else { return nil }
        let parts = rest.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return nil }
        let local = parts[0]
        let localLengths = area.count == 3 ? 8...8 : 7...8
        guard localLengths.contains(local.count), local.allSatisfy(\.isASCIIDigit), local.first != "0", local.first != "1" else { return nil }
        var result = "\(area)-\(local)"
        if parts.count == 2 {
            let ext = parts[1]
            guard (1...6).contains(ext.count), ext.allSatisfy(\.isASCIIDigit) else { return nil }
            result += "-\(ext)"
        }
        return result
    }

    /// An address `local@domain.tld`, lower-cased domain.
    public static func email(_ text: String) -> String? {
        let value = halfWidth(text)
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let local = parts[0], domain = parts[1].lowercased()
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
        guard !local.isEmpty, local.count <= 64, local.allSatisfy(localAllowed.contains), !local.hasPrefix("."), !local.hasSuffix("."),
              !local.contains("..") else { return nil }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        let labelAllowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 && $0.allSatisfy(labelAllowed.contains) && !$0.hasPrefix("-") && !$0.hasSuffix("-") }),
              let tld = labels.last, tld.count >= 2, tld.allSatisfy(\.isLetter) else { return nil }
        return "\(local)@\(domain)"
    }

    static func isName(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isIdeographic || scalar == "·" || scalar == "•" || scalar == "・"
                || (scalar.isASCII && (CharacterSet.letters.contains(scalar) || scalar == " "))
        }
    }
}
