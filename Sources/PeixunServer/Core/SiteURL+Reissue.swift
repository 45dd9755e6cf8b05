import Foundation
import Vapor

extension SiteURL {
    /// 证书补发: requests by teachers and counties, the institution's statement, the county's
    /// check, and the rounds that climb county → city → province on the approval engine.
    enum Reissue: SiteResource {
        /// What one request's confirmation and check are.
        enum RequestStep: String, CaseIterable, Sendable {
            /// 情况说明 by the institution (or by the county when no institution is linked).
            case statement
            case accept
            /// Back to the requester, with a reason.
            case `return`
        }

        /// The approval engine's steps on a round.
        enum Decision: String, CaseIterable, Sendable {
            case submit
            case sendBack = "send-back"
            case approve, reopen
        }

        /// The desk of a county, city, province or institution; `region` narrows it.
        case page(region: String? = nil, notice: String? = nil)
        /// A new request (a teacher's from 我的证书, or its county's).
        case create
        case request(Parameter<Int>, RequestStep)
        /// The scan of a request's stamped statement, for everyone who sees the request.
        case statementFile(Parameter<Int>)
        case round(Parameter<Int>, Decision)
        case api(region: String? = nil)
        case apiCreate
        case apiRequest(Parameter<Int>, RequestStep)
        case apiRound(Parameter<Int>, Decision)
        /// GET: the projects an institution account runs; POST `{"projects": [id, …]}`: set them (province).
        case apiInstitutionProjects(Parameter<Int>)

        var segments: [String] {
            switch self {
            case .page: ["reissue"]
            case .create: ["reissue", "requests"]
            case .request(let id, let step): ["reissue", "requests", id.segment(.requestID), step.rawValue]
            case .statementFile(let id): ["reissue", "requests", id.segment(.requestID), "statement", "file"]
            case .round(let id, let decision): ["reissue", "rounds", id.segment(.roundID), decision.rawValue]
            case .api: ["api", "v1", "reissue"]
            case .apiCreate: ["api", "v1", "reissue", "requests"]
            case .apiRequest(let id, let step): ["api", "v1", "reissue", "requests", id.segment(.requestID), step.rawValue]
            case .apiRound(let id, let decision): ["api", "v1", "reissue", "rounds", id.segment(.roundID), decision.rawValue]
            case .apiInstitutionProjects(let user): ["api", "v1", "institutions", user.segment(.userID), "projects"]
            }
        }

        var query: [URLQueryItem] {
            switch self {
            case .page(let region, let notice): .init(["region": region, "notice": notice])
            case .api(let region): .init(["region": region])
            default: []
            }
        }

        static let routes: [(HTTPMethod, Self)] = [(.GET, .page()), (.POST, .create), (.GET, .api()), (.POST, .apiCreate),
                                                   (.GET, .statementFile(.key)),
                                                   (.GET, .apiInstitutionProjects(.key)), (.POST, .apiInstitutionProjects(.key))]
            + RequestStep.allCases.flatMap { [(HTTPMethod.POST, Self.request(.key, $0)), (.POST, .apiRequest(.key, $0))] }
            + Decision.allCases.flatMap { [(HTTPMethod.POST, Self.round(.key, $0)), (.POST, .apiRound(.key, $0))] }
    }
}
