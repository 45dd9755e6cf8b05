import Vapor

/// Every path the app serves, in one place: routes register from it and pages link with it.
enum SiteURL {
    case home
    case progress(year: Int, region: String?)
    case untrainedTeachers(schoolID: Int, year: Int, page: Int)
    case apiProgress
    case healthz

    var path: String {
        switch self {
        case .home: "/"
        case .progress(let year, let region):
            "/reports/progress?year=\(year)" + (region.map { "&region=\($0)" } ?? "")
        case .untrainedTeachers(let school, let year, let page):
            "/reports/progress/schools/\(school)/untrained?year=\(year)" + (page > 1 ? "&page=\(page)" : "")
        case .apiProgress: "/api/v1/reports/progress"
        case .healthz: "/healthz"
        }
    }

    /// Path components for route registration.
    enum Route {
        static let progress: [PathComponent] = ["reports", "progress"]
        static let untrainedTeachers: [PathComponent] = ["reports", "progress", "schools", ":schoolID", "untrained"]
        static let apiProgress: [PathComponent] = ["api", "v1", "reports", "progress"]
        static let healthz: [PathComponent] = ["healthz"]
    }
}
