import Foundation
import Vapor

extension SiteURL {
    /// 后台任务: the list of a user's jobs (the province's: everyone's), one job's progress
    /// page, its JSON, the file an export job made, and running a failed job again.
    enum Jobs: SiteResource {
        case list(page: Int? = nil)
        case page(Parameter<Int>)
        case file(Parameter<Int>)
        case retry(Parameter<Int>)
        case apiList(page: Int? = nil)
        case api(Parameter<Int>)
        case apiRetry(Parameter<Int>)

        var segments: [String] {
            switch self {
            case .list: ["jobs"]
            case .page(let id): ["jobs", id.segment(.jobID)]
            case .file(let id): ["jobs", id.segment(.jobID), "file"]
            case .retry(let id): ["jobs", id.segment(.jobID), "retry"]
            case .apiList: ["api", "v1", "jobs"]
            case .api(let id): ["api", "v1", "jobs", id.segment(.jobID)]
            case .apiRetry(let id): ["api", "v1", "jobs", id.segment(.jobID), "retry"]
            }
        }

        var query: [URLQueryItem] {
            switch self {
            case .list(let page), .apiList(let page): [URLQueryItem](["page": page])
            default: []
            }
        }

        static let routes: [(HTTPMethod, Self)] = [
            (.GET, .list()), (.GET, .page(.key)), (.GET, .file(.key)), (.POST, .retry(.key)),
            (.GET, .apiList()), (.GET, .api(.key)), (.POST, .apiRetry(.key)),
        ]
    }
}
