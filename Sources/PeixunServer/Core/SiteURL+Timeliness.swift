import Foundation
import Vapor

extension SiteURL {
    /// 报送及时率: each reporting task's deadline per year and who reported on time, late or not at all.
    enum Timeliness: SiteResource {
        case page(task: String? = nil, year: Int? = nil, region: String? = nil)
        /// POST (province): a task's deadline for a year (form task, year, deadline).
        case deadline
        /// POST: a reminder to a unit (form task, year, region, message).
        case remind
        case api(task: String? = nil, year: Int? = nil, region: String? = nil)
        /// Every task's units still missing after their deadline.
        case apiOverdue(year: Int? = nil)
        case apiDeadline
        case apiRemind

        var segments: [String] {
            switch self {
            case .page: ["timeliness"]
            case .deadline: ["timeliness", "deadline"]
            case .remind: ["timeliness", "remind"]
            case .api: ["api", "v1", "timeliness"]
            case .apiOverdue: ["api", "v1", "timeliness", "overdue"]
            case .apiDeadline: ["api", "v1", "timeliness", "deadlines"]
            case .apiRemind: ["api", "v1", "timeliness", "reminders"]
            }
        }

        var query: [URLQueryItem] {
            switch self {
            case .page(let task, let year, let region), .api(let task, let year, let region): .init(["task": task, "year": year, "region": region])
            case .apiOverdue(let year): .init(["year": year])
            default: []
            }
        }

        static let routes: [(HTTPMethod, Self)] = [(.GET, .page()), (.POST, .deadline), (.POST, .remind), (.GET, .api()),
                                                   (.GET, .apiOverdue()), (.POST, .apiDeadline), (.POST, .apiRemind)]
    }
}
