/// Why a resident ID was refused. `code` is stable (used in import reports and the API);
/// `message` is what the clerk reads.
public enum ResidentIDError: Error, Sendable, Equatable {
    case missing
    case length(Int)
    case charset
    case checksum(expected: Character)
    case birthDate(String)
    case birthDateInFuture(String)
    case regionPrefix(String)
    case excelNumber(shown: String)

    public var code: String {
        switch self {
        case .missing: "id.missing"
        case .length: "id.length"
        case .charset: "id.charset"
        case .checksum: "id.checksum"
        case .birthDate, .birthDateInFuture: "id.birthdate"
        case .regionPrefix: "id.region"
        case .excelNumber: "id.excel_number"
        }
    }

    public var message: String {
        switch self {
        case .missing:
            "身份证号码为空"
        case .length(let count):
            "身份证号码长度应为18位（或15位旧号），实际为\(count)位"
        case .charset:
            "身份证号码只能包含数字，末位可以是 X"
        case .checksum(let expected):
            "身份证号码校验位错误（按前17位计算，末位应为 \(expected)），请核对是否有录入错误"
        case .birthDate(let digits):
            "身份证号码中的出生日期无效（\(digits)）"
        case .birthDateInFuture(let digits):
            "身份证号码中的出生日期（\(digits)）晚于今天"
        case .regionPrefix(let prefix):
            "身份证号码前6位（\(prefix)）不是有效的行政区划代码"
        case .excelNumber:
            "身份证号被保存为数字格式，末几位已丢失，请将该列设为文本后重新填写"
        }
    }
}
