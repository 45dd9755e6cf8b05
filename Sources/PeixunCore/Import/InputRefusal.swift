/// Form or API input refused for one or more reasons, each naming its field: the server
/// renders it as 422 with every issue (the API lists them under `error.issues`).
public struct InputRefusal: Error, Sendable {
    public let issues: [RowIssue]

    public init(issues: [RowIssue]) { self.issues = issues }

    public init(field: String, code: String, _ message: String) {
        self.issues = [RowIssue(row: 1, column: field, code: code, message: message)]
    }

    public var code: String { issues.first?.code ?? "invalid" }
    public var message: String { issues.map { "\($0.column)：\($0.message)" }.joined(separator: "；") }
}
