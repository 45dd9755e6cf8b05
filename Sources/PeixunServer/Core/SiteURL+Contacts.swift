import Foundation
import Vapor

extension SiteURL {
    /// 项目联系人信息表 (附件4): each city's and county's contact for a year, on the approval engine.
    enum Contacts: SiteResource {
        /// The approval engine's steps (the plans' names); the form or body names the year and the unit.
        typealias Decision = Plans.Decision

        /// The viewer's own contact and those of the units below; `region` narrows it.
        case page(year: Int? = nil, region: String? = nil)
        /// POST: save the viewer's own contact (form fields year, department, person, title, officePhone, mobile, email).
        case save
        case decide(Decision)
        /// Cities and counties without a submitted contact (province; a city sees its counties).
        case missing(year: Int? = nil)
        /// Appendix 4 as .xlsx: one city, or the whole province.
        case export(year: Int? = nil, region: String? = nil)
        case api(year: Int? = nil, region: String? = nil)
        case apiSave
        case apiDecide(Decision)
        case apiMissing(year: Int? = nil)

        var segments: [String] {
            switch self {
            case .page: ["contacts"]
            case .save: ["contacts"]
            case .decide(let decision): ["contacts", decision.rawValue]
            case .missing: ["contacts", "missing"]
            case .export: ["contacts", "export"]
            case .api, .apiSave: ["api", "v1", "contacts"]
            case .apiDecide(let decision): ["api", "v1", "contacts", decision.rawValue]
            case .apiMissing: ["api", "v1", "contacts", "missing"]
            }
        }

        var query: [URLQueryItem] {
            switch self {
            case .page(let year, let region), .export(let year, let region), .api(let year, let region): .init(["year": year, "region": region])
            case .missing(let year), .apiMissing(let year): .init(["year": year])
            default: []
            }
        }

        static let routes: [(HTTPMethod, Self)] = [(.GET, .page()), (.POST, .save), (.GET, .missing()), (.GET, .export()),
                                                   (.GET, .api()), (.POST, .apiSave), (.GET, .apiMissing())]
            + Decision.allCases.flatMap { [(HTTPMethod.POST, Self.decide($0)), (.POST, .apiDecide($0))] }
    }
}
