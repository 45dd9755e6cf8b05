import Foundation
import Vapor

extension SiteURL {
    /// 后台任务: a background job's progress page, its JSON, and the file an export job made.
    enum Jobs: SiteResource {
        case page(Parameter<Int>)
        case file(Parameter<Int>)
        case api(Parameter<Int>)

        var segments: [String] {
            switch self {
            case .page(let id): ["jobs", id.segment(.jobID)]
            case .file(let id): ["jobs", id.segment(.jobID), "file"]
            case .api(let id): ["api", "v1", "jobs", id.segment(.jobID)]
            }
        }

        static let routes: [(HTTPMethod, Self)] = [(.GET, .page(.key)), (.GET, .file(.key)), (.GET, .api(.key))]
    }
}
