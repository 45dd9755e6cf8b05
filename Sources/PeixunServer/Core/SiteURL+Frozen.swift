import Foundation
import Vapor

extension SiteURL {
    /// 已审核表格: the tables the province approved (Appendix 3, the integration summary), each
    /// as approved, its difference against the live table, and its workbook as approved.
    enum Frozen: SiteResource {
        case page(kind: String? = nil, year: Int? = nil)
        case show(Parameter<Int>)
        case download(Parameter<Int>)
        case api(kind: String? = nil, year: Int? = nil)
        case apiShow(Parameter<Int>)

        var segments: [String] {
            switch self {
            case .page: ["frozen"]
            case .show(let id): ["frozen", id.segment(.snapshotID)]
            case .download(let id): ["frozen", id.segment(.snapshotID), "xlsx"]
            case .api: ["api", "v1", "frozen"]
            case .apiShow(let id): ["api", "v1", "frozen", id.segment(.snapshotID)]
            }
        }

        var query: [URLQueryItem] {
            switch self {
            case .page(let kind, let year), .api(let kind, let year): .init(["kind": kind, "year": year])
            default: []
            }
        }

        static let routes: [(HTTPMethod, Self)] = [(.GET, .page()), (.GET, .show(.key)), (.GET, .download(.key)),
                                                   (.GET, .api()), (.GET, .apiShow(.key))]
    }
}
