import Foundation
import Vapor

extension SiteURL {
    /// For the people who run the service: readiness for a load balancer, metrics for
    /// Prometheus (`/healthz`, plain liveness, is `SiteURL.healthz`).
    enum Operations: SiteResource {
        case readyz
        case metrics

        var segments: [String] {
            switch self {
            case .readyz: ["readyz"]
            case .metrics: ["metrics"]
            }
        }

        static let routes: [(HTTPMethod, Self)] = [(.GET, .readyz), (.GET, .metrics)]
    }
}
