import Foundation
import Vapor

extension SiteURL {
    /// 结业证书: the offices' register and issuing, a certificate's PDF, the teacher's own
    /// certificates, public verification and the title-evaluation check.
    enum Certificates: SiteResource {
        case register(region: String? = nil, page: Int? = nil)
        case issue
        case pdf(Parameter<String>)
        case revoke(Parameter<String>)
        /// A school's or county's certificates as one PDF to print.
        case book(region: String? = nil, school: Int? = nil)
        case mine
        /// The QR code's target; public.
        case verify(Parameter<String>)
        /// Look-up by number and name; public.
        case verifyForm(number: String? = nil, name: String? = nil)
        case titleCheck
        /// A list of applicants checked at once; the answer is a workbook.
        case titleCheckBatch
        case apiList(region: String? = nil, page: Int? = nil)
        case apiIssue
        case apiRevoke(Parameter<String>)
        case apiMine
        case apiVerify(Parameter<String>)
        case apiTitleCheck
        case apiTitleCheckBatch

        var segments: [String] {
            switch self {
            case .register: ["certificates"]
            case .issue: ["certificates", "issue"]
            case .pdf(let number): ["certificates", number.segment(.number), "pdf"]
            case .revoke(let number): ["certificates", number.segment(.number), "revoke"]
            case .book: ["certificates", "book"]
            case .mine: ["me", "certificates"]
            case .verify(let token): ["verify", token.segment(.token)]
            case .verifyForm: ["verify"]
            case .titleCheck: ["title-check"]
            case .titleCheckBatch: ["title-check", "batch"]
            case .apiList: ["api", "v1", "certificates"]
            case .apiIssue: ["api", "v1", "certificates", "issue"]
            case .apiRevoke(let number): ["api", "v1", "certificates", number.segment(.number), "revoke"]
            case .apiMine: ["api", "v1", "me", "certificates"]
            case .apiVerify(let token): ["api", "v1", "verify", token.segment(.token)]
            case .apiTitleCheck: ["api", "v1", "title-check"]
            case .apiTitleCheckBatch: ["api", "v1", "title-check", "batch"]
            }
        }

        var query: [URLQueryItem] {
            switch self {
            case .register(let region, let page), .apiList(let region, let page):
                .init(["region": region, "page": page.flatMap { $0 > 1 ? $0 : nil }])
            case .book(let region, let school): .init(["region": region, "school": school])
            case .verifyForm(let number, let name): .init(["number": number, "name": name])
            default: []
            }
        }

        static let routes: [(HTTPMethod, Self)] = [
            (.GET, .register()), (.POST, .issue), (.GET, .pdf(.key)), (.POST, .revoke(.key)), (.GET, .book()),
            (.GET, .mine), (.GET, .verify(.key)), (.GET, .verifyForm()), (.GET, .titleCheck), (.POST, .titleCheck),
            (.GET, .apiList()), (.POST, .apiIssue), (.POST, .apiRevoke(.key)), (.GET, .apiMine), (.GET, .apiVerify(.key)),
            (.POST, .apiTitleCheck), (.POST, .titleCheckBatch), (.POST, .apiTitleCheckBatch), (.POST, .book()),
        ]
    }
}
