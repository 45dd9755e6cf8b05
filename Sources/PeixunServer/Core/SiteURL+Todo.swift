import Foundation
import Vapor

extension SiteURL {
    /// 待办: what waits for the signed-in user, overdue first.
    enum Todo: SiteResource {
        case page
        case api

        var segments: [String] {
            switch self {
            case .page: ["todo"]
            case .api: ["api", "v1", "todo"]
            }
        }

        static let routes: [(HTTPMethod, Self)] = [(.GET, .page), (.GET, .api)]
    }
}
