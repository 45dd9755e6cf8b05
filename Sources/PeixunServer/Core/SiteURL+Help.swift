import Foundation
import Vapor

extension SiteURL {
    /// 帮助: the list of workflows and one page per workflow.
    enum Help: SiteResource {
        case index
        case topic(HelpTopic)

        var segments: [String] {
            switch self {
            case .index: ["help"]
            case .topic(let topic): ["help", topic.rawValue]
            }
        }

        static let routes: [(HTTPMethod, Self)] = [(.GET, .index)] + HelpTopic.allCases.map { (.GET, .topic($0)) }
    }
}
