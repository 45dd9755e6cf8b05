import Foundation
import Vapor

extension SiteURL {
    /// Training institutions: the qualified lists they propose and the province publishes or
    /// sends back, their trainees' verification progress per county, and which projects each
    /// institution account runs (the province's links page). The upload itself is an import
    /// (`Imports.Kind.institution`).
    enum Institutions: SiteResource {
        case proposals
        /// A proposal's review page; `county` narrows its rows (`ProposedLists.triage`: those without one).
        case proposal(Parameter<Int>, county: String? = nil, page: Int? = nil)
        case errors(Parameter<Int>)
        case publish(Parameter<Int>)
        case sendBack(Parameter<Int>)
        case progress
        case links
        case link(Parameter<Int>)
        case unlink(Parameter<Int>)
        case apiProposals
        case apiProposal(Parameter<Int>)
        case apiPublish(Parameter<Int>)
        case apiSendBack(Parameter<Int>)
        case apiProgress
        case apiLinks
        case apiLink(Parameter<Int>)
        case apiUnlink(Parameter<Int>)

        var segments: [String] {
            switch self {
            case .proposals: ["proposals"]
            case .proposal(let id, _, _): ["proposals", id.segment(.proposalID)]
            case .errors(let id): ["proposals", id.segment(.proposalID), "errors.xlsx"]
            case .publish(let id): ["proposals", id.segment(.proposalID), "publish"]
            case .sendBack(let id): ["proposals", id.segment(.proposalID), "send-back"]
            case .progress: ["institution", "verification"]
            case .links: ["institutions"]
            case .link(let user): ["institutions", user.segment(.userID), "link"]
            case .unlink(let user): ["institutions", user.segment(.userID), "unlink"]
            case .apiProposals: ["api", "v1", "proposals"]
            case .apiProposal(let id): ["api", "v1", "proposals", id.segment(.proposalID)]
            case .apiPublish(let id): ["api", "v1", "proposals", id.segment(.proposalID), "publish"]
            case .apiSendBack(let id): ["api", "v1", "proposals", id.segment(.proposalID), "send-back"]
            case .apiProgress: ["api", "v1", "institution", "verification"]
            case .apiLinks: ["api", "v1", "institutions"]
            case .apiLink(let user): ["api", "v1", "institutions", user.segment(.userID), "link"]
            case .apiUnlink(let user): ["api", "v1", "institutions", user.segment(.userID), "unlink"]
            }
        }

        var query: [URLQueryItem] {
            switch self {
            case .proposal(_, let county, let page): .init(["county": county, "page": page])
            default: []
            }
        }

        static let routes: [(HTTPMethod, Self)] = [
            (.GET, .proposals), (.GET, .proposal(.key)), (.GET, .errors(.key)), (.POST, .publish(.key)), (.POST, .sendBack(.key)),
            (.GET, .progress), (.GET, .links), (.POST, .link(.key)), (.POST, .unlink(.key)),
            (.GET, .apiProposals), (.GET, .apiProposal(.key)), (.POST, .apiPublish(.key)), (.POST, .apiSendBack(.key)),
            (.GET, .apiProgress), (.GET, .apiLinks), (.POST, .apiLink(.key)), (.POST, .apiUnlink(.key)),
        ]
    }
}
