import Foundation
import Vapor

extension SiteURL {
    /// The catalogue of training projects.
    enum Projects: SiteResource {
        /// The list (GET) and a new project (POST); `added` names the one just added.
        case page(added: String? = nil)
        case api

        var segments: [String] {
            switch self {
            case .page: ["projects"]
            case .api: ["api", "v1", "projects"]
            }
        }

        var query: [URLQueryItem] {
            switch self {
            case .page(let added): .init(["added": added])
            case .api: []
            }
        }

        static let routes: [(HTTPMethod, Self)] = [(.GET, .page()), (.POST, .page()), (.GET, .api), (.POST, .api)]
    }
}
