/// Where an issued certificate stands. Only a valid one counts for title evaluation.
public enum CertificateStatus: String, Sendable, Codable, CaseIterable {
    case valid
    /// 补发: replaced by a reissued certificate, which the old one points to.
    case superseded
    /// 撤销 by the province, with a reason.
    case revoked

    public var label: String {
        switch self {
        case .valid: "有效"
        case .superseded: "已补发"
        case .revoked: "已撤销"
        }
    }
}
