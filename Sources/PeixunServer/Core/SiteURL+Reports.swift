import Foundation
import Vapor

extension SiteURL {
    /// The progress report (Appendix 1), its drill-down to a school's untrained teachers, and their export.
    enum Reports: SiteResource {
        /// The approval engine's steps, named as the plans name them.
        typealias Decision = Plans.Decision

        case progress(year: Int? = nil, region: String? = nil, format: String? = nil)
        /// A school's untrained teachers; page 1 carries no page number.
        case untrainedTeachers(Parameter<Int>, year: Int? = nil, page: Int? = nil)
        case untrainedExport(year: Int? = nil, region: String? = nil, school: Int? = nil, format: String? = nil)
        case apiProgress(year: Int? = nil, region: String? = nil)
        /// Appendix 1's approval for a year: county confirms, city submits, province approves.
        case approval(year: Int? = nil, region: String? = nil)
        /// POST (form or JSON: year, region, reason).
        case decide(Decision)
        case apiApproval(year: Int? = nil, region: String? = nil)
        case apiDecide(Decision)

        var segments: [String] {
            switch self {
            case .progress: ["reports", "progress"]
            case .untrainedTeachers(let school, _, _): ["reports", "progress", "schools", school.segment(.schoolID), "untrained"]
            case .untrainedExport: ["reports", "untrained"]
            case .apiProgress: ["api", "v1", "reports", "progress"]
            case .approval: ["reports", "progress", "approval"]
            case .decide(let decision): ["reports", "progress", "approval", decision.rawValue]
            case .apiApproval: ["api", "v1", "reports", "progress", "approval"]
            case .apiDecide(let decision): ["api", "v1", "reports", "progress", "approval", decision.rawValue]
            }
        }

        var query: [URLQueryItem] {
            switch self {
            case .progress(let year, let region, let format): .init(["year": year, "region": region, "format": format])
            case .untrainedTeachers(_, let year, let page): .init(["year": year, "page": page.flatMap { $0 > 1 ? $0 : nil }])
            case .untrainedExport(let year, let region, let school, let format):
                .init(["year": year, "region": region, "school": school, "format": format])
            case .apiProgress(let year, let region), .approval(let year, let region), .apiApproval(let year, let region):
                .init(["year": year, "region": region])
            case .decide, .apiDecide: []
            }
        }

        static let routes: [(HTTPMethod, Self)] = [
            (.GET, .progress()), (.GET, .untrainedTeachers(.key)), (.GET, .untrainedExport()), (.GET, .apiProgress()),
            (.GET, .approval()), (.GET, .apiApproval()),
        ] + Decision.allCases.flatMap { [(HTTPMethod.POST, Self.decide($0)), (.POST, .apiDecide($0))] }
    }
}
