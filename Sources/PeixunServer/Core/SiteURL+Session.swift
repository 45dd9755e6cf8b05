import Foundation
import Vapor

extension SiteURL {
    /// The idle-timeout warning's two calls: how long the session has left (read without
    /// extending it), and 保持登录 (extends it).
    enum Session: SiteResource {
        case status
        case keepAlive

        var segments: [String] {
            switch self {
            case .status: ["api", "v1", "session", "status"]
            case .keepAlive: ["session", "keep-alive"]
            }
        }

        static let routes: [(HTTPMethod, Self)] = [(.GET, .status), (.POST, .keepAlive)]
    }
}
