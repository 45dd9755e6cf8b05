import Foundation
import Vapor

extension SiteURL {
    /// The audit log; its filters and page go in `path(adding:)`.
    enum Audit: SiteResource {
        case page
        case api

        var segments: [String] {
            switch self {
            case .page: ["audit"]
            case .api: ["api", "v1", "audit"]
            }
        }

        static let routes: [(HTTPMethod, Self)] = [(.GET, .page), (.GET, .api)]
    }
}
