import Foundation
import PeixunCore

/// How certificates are issued and checked, from the environment:
/// - `PEIXUN_CERTIFICATE_ISSUER`: the issuer line printed on the certificate;
/// - `PEIXUN_PUBLIC_URL`: where strangers reach the verification page (the QR code's address);
/// - `PEIXUN_CERTIFICATE_RULE`: the completion rule, e.g. `min=1;levels=national,provincial`;
/// - `PEIXUN_CERTIFICATE_LOCAL_ISSUE=1`: cities and counties may issue for their subtree;
/// - `PEIXUN_TITLE_POLICY_DATE`: applications for a title from this date need a certificate.
public struct CertificateSettings: Sendable {
    public var issuer = "四川省中小学教师信息技术应用能力提升工程执行办公室"
    public var publicURL: String?
    public var rule = CompletionRule.standard
    public var localIssuing = false
    public var titlePolicyDate = CivilDate(year: 2019, month: 1, day: 1)!

    public init() {}

    /// The verification address of a token, under the public URL or this server's own.
    func verificationURL(token: VerificationToken, fallbackHost: String, port: Int) -> String {
        let base = publicURL ?? "http://\(fallbackHost):\(port)"
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/verify/" + token.value
    }

    mutating func read(_ environment: [String: String], problems: inout [String]) {
        if let text = environment["PEIXUN_CERTIFICATE_ISSUER"] {
            let cleaned = text.trimmingCharacters(in: .whitespaces)
            if cleaned.isEmpty || cleaned.count > 60 { problems.append("PEIXUN_CERTIFICATE_ISSUER 应为 1–60 个字，实际为 \(text.count) 个字") } else { issuer = cleaned }
        }
        if let text = environment["PEIXUN_PUBLIC_URL"], !text.isEmpty {
            if let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil, url.query == nil {
                publicURL = text
            } else {
                problems.append("PEIXUN_PUBLIC_URL 应为 http:// 或 https:// 开头的网址，实际为 \(text.prefix(40))")
            }
        }
        if let text = environment["PEIXUN_CERTIFICATE_RULE"], !text.isEmpty {
            if let parsed = CompletionRule(configuration: text) { rule = parsed } else {
                problems.append("PEIXUN_CERTIFICATE_RULE 格式应为 min=1;levels=national,provincial,city,county,cooperation，实际为 \(text.prefix(60))")
            }
        }
        if let text = environment["PEIXUN_CERTIFICATE_LOCAL_ISSUE"] {
            switch text { case "1", "true": localIssuing = true
            case "0", "false", "": localIssuing = false
            default: problems.append("PEIXUN_CERTIFICATE_LOCAL_ISSUE 应为 1 或 0，实际为 \(text)") }
        }
        if let text = environment["PEIXUN_TITLE_POLICY_DATE"] {
            if let date = CivilDate(iso: text), text.count == 10 { titlePolicyDate = date } else {
                problems.append("PEIXUN_TITLE_POLICY_DATE 应为 YYYY-MM-DD，实际为 \(text)")
            }
        }
    }
}
