import Foundation
import Vapor

extension SiteURL {
    /// The audit log; its filters and page go in `path(adding:)`.
    enum Audit: SiteResource {
        case page
        case api
        /// What the page shows, as a file: `?format=xlsx|csv` and the page's filters.
        case export

        var segments: [String] {
            switch self {
            case .page: ["audit"]
            case .api: ["api", "v1", "audit"]
            case .export: ["audit", "export"]
            }
        }

        static let routes: [(HTTPMethod, Self)] = [(.GET, .page), (.GET, .api), (.GET, .export)]
    }
}
