import Foundation
import Vapor

extension SiteURL {
    /// 导入模板: the list, and one .xlsx per import the system accepts.
    enum Templates: SiteResource {
        case page
        case file(ImportTemplate.Kind)

        var segments: [String] {
            switch self {
            case .page: ["templates"]
            case .file(let kind): ["templates", kind.fileName]
            }
        }

        static let routes: [(HTTPMethod, Self)] = [(.GET, .page)] + ImportTemplate.Kind.allCases.map { (.GET, .file($0)) }
    }
}
