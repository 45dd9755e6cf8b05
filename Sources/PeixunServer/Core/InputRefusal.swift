import PeixunCore

/// Form or API input refused for one or more reasons, each naming its field: rendered as
/// 422 with every issue (the API lists them under `error.issues`).
struct InputRefusal: Error, Sendable {
    let issues: [RowIssue]

    init(issues: [RowIssue]) { self.issues = issues }

    init(field: String, code: String, _ message: String) {
        self.issues = [RowIssue(row: 1, column: field, code: code, message: message)]
    }

    var code: String { issues.first?.code ?? "invalid" }
    var message: String { issues.map { "\($0.column)：\($0.message)" }.joined(separator: "；") }
}
