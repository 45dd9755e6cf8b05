import Foundation
import Vapor

extension SiteURL {
    /// 培训计划 (Appendix 3): a county's row, a city's counties, the province's cities; the
    /// approval steps on a unit; the Appendix 3 workbook; the JSON API.
    enum Plans: SiteResource {
        /// The approval engine's steps on one unit (a county or a city) of a year's plan.
        enum Decision: String, CaseIterable, Sendable {
            case submit
            case sendBack = "send-back"
            case approve, reopen

            var label: String {
                switch self {
                case .submit: "提交"
                case .sendBack: "退回"
                case .approve: "审核通过"
                case .reopen: "重新打开"
                }
            }
        }

        case page(year: Int? = nil, region: String? = nil, notice: String? = nil)
        /// POST: the county's form.
        case save(Parameter<Int>, Parameter<String>)
        case decide(Parameter<Int>, Parameter<String>, Decision)
        /// The Appendix 3 workbook of a city (counties + 小计) or the province (cities + 合计).
        case export(year: Int? = nil, region: String? = nil)
        case api(year: Int? = nil, region: String? = nil)
        /// PUT `{"provincialDemand", "localPlan", "remarks", "usesProvincialPlatform"}` as that county.
        case apiRow(Parameter<Int>, Parameter<String>)
        case apiDecide(Parameter<Int>, Parameter<String>, Decision)
        /// A city's filled-in Appendix 3: upload (shows the differences), then apply the stored upload.
        case importFile(Parameter<Int>, Parameter<String>)
        case importApply(Parameter<Int>, Parameter<String>, Parameter<Int>)
        /// The file as the body; `?dryRun=true` only shows the differences.
        case apiImport(Parameter<Int>, Parameter<String>)

        var segments: [String] {
            switch self {
            case .page: ["plans"]
            case .save(let year, let region): ["plans", year.segment(.year), region.segment(.regionCode)]
            case .decide(let year, let region, let decision): ["plans", year.segment(.year), region.segment(.regionCode), decision.rawValue]
            case .export: ["plans", "export"]
            case .api: ["api", "v1", "plans"]
            case .apiRow(let year, let region): ["api", "v1", "plans", year.segment(.year), region.segment(.regionCode)]
            case .apiDecide(let year, let region, let decision):
                ["api", "v1", "plans", year.segment(.year), region.segment(.regionCode), decision.rawValue]
            case .importFile(let year, let region): ["plans", year.segment(.year), region.segment(.regionCode), "import"]
            case .importApply(let year, let region, let upload):
                ["plans", year.segment(.year), region.segment(.regionCode), "import", upload.segment(.uploadID)]
            case .apiImport(let year, let region): ["api", "v1", "plans", year.segment(.year), region.segment(.regionCode), "import"]
            }
        }

        var query: [URLQueryItem] {
            switch self {
            case .page(let year, let region, let notice): .init(["year": year, "region": region, "notice": notice])
            case .export(let year, let region), .api(let year, let region): .init(["year": year, "region": region])
            default: []
            }
        }

        static let routes: [(HTTPMethod, Self)] = [(.GET, .page()), (.GET, .export()), (.GET, .api()),
                                                   (.POST, .save(.key, .key)), (.PUT, .apiRow(.key, .key)),
                                                   (.POST, .importFile(.key, .key)), (.POST, .importApply(.key, .key, .key)),
                                                   (.POST, .apiImport(.key, .key))]
            + Decision.allCases.flatMap { [(HTTPMethod.POST, Self.decide(.key, .key, $0)), (.POST, .apiDecide(.key, .key, $0))] }
    }
}
