/// One thing wrong (or fixed) in one row of an imported file, with a stable code for
/// programs and a Chinese message for people.
public struct RowIssue: Sendable, Equatable, Codable {
    public let row: Int
    public let column: String
    public let code: String
    public let message: String

    public init(row: Int, column: String, code: String, message: String) {
        self.row = row
        self.column = column
        self.code = code
        self.message = message
    }
}

/// The columns of a teacher roster, in the order the feedback forms use.
public enum TeacherColumn: String, Sendable, CaseIterable {
    case county, school, stage, name, residentID, phone, sex, remarks

    public var label: String {
        switch self {
        case .county: "县(市、区)"
        case .school: "所在学校"
        case .stage: "学段"
        case .name: "教师姓名"
        case .residentID: "身份证号码"
        case .phone: "联系电话"
        case .sex: "性别"
        case .remarks: "备注"
        }
    }

    public var aliases: [String] {
        switch self {
        case .county: ["县(市、区)", "区县", "县区", "县(区)", "县(市)", "所在县", "县市区"]
        case .school: ["学校名称", "学校", "单位", "工作单位", "所在单位"]
        case .stage: ["学段"]
        case .name: ["姓名"]
        case .residentID: ["身份证号", "证件号码", "公民身份号码", "身份证"]
        case .phone: ["手机号码", "手机", "手机号", "电话"]
        case .sex: []
        case .remarks: ["说明"]
        }
    }

    public var required: Bool { [.county, .school, .name, .residentID].contains(self) }
}
