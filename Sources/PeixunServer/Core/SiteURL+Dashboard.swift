import Foundation
import Vapor

extension SiteURL {
    /// 工作台: the province's, city's or county's charts (completion, trend, plan vs trained, overdue).
    enum Dashboard: SiteResource {
        case page(year: Int? = nil, region: String? = nil)
        case api(year: Int? = nil, region: String? = nil)

        var segments: [String] {
            switch self {
            case .page: ["dashboard"]
            case .api: ["api", "v1", "dashboard"]
            }
        }

        var query: [URLQueryItem] {
            switch self {
            case .page(let year, let region), .api(let year, let region): .init(["year": year, "region": region])
            }
        }

        static let routes: [(HTTPMethod, Self)] = [(.GET, .page()), (.GET, .api())]
    }
}
