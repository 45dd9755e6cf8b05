import Foundation
import Vapor

extension SiteURL {
    /// Cooperation-project integration (Appendix 2): each county verifies its part of a batch,
    /// cities and the province approve; on the web and in the API.
    enum Integration: SiteResource {
        /// What a county (verify, reject) or the province (assign) does to one entry.
        enum EntryStep: String, CaseIterable, Sendable {
            case verify, reject, assign
        }

        /// A city's or the province's decision on a batch.
        enum Decision: String, CaseIterable, Sendable {
            case sendBackCounty = "send-back-county"
            case submitCity = "submit-city"
            case sendBackCity = "send-back-city"
            case approve, reopen
        }

        case batches
        /// A county's part of a batch; its filters and page go in `path(adding:)`.
        case county(Parameter<Int>, county: String? = nil)
        case feedbackWorkbook(Parameter<Int>, county: String? = nil)
        case feedback(Parameter<Int>)
        case add(Parameter<Int>)
        case submit(Parameter<Int>)
        case entry(Parameter<Int>, EntryStep)
        /// 批量核实: the checked rows of a county's worklist page.
        case bulkVerify(Parameter<Int>)
        case overview(Parameter<Int>, city: String? = nil)
        case deadline(Parameter<Int>)
        case decide(Parameter<Int>, Decision)
        case summary(project: Int? = nil, region: String? = nil, format: String? = nil)
        case apiBatches
        /// GET: a county's entries; POST: add one.
        case apiEntries(Parameter<Int>)
        case apiFeedback(Parameter<Int>)
        case apiSubmit(Parameter<Int>)
        case apiEntry(Parameter<Int>, EntryStep)
        /// POST `{"ids": […]}`: 批量核实 of at most `BulkVerification.maximumEntries` entries.
        case apiBulkVerify(Parameter<Int>)
        case apiOverview(Parameter<Int>)
        /// PATCH: the deadline.
        case apiBatch(Parameter<Int>)
        case apiDecide(Parameter<Int>, Decision)
        case apiSummary

        var segments: [String] {
            switch self {
            case .batches: ["integration"]
            case .county(let batch, _): ["integration", batch.segment(.batchID)]
            case .feedbackWorkbook(let batch, _): ["integration", batch.segment(.batchID), "feedback.xlsx"]
            case .feedback(let batch): ["integration", batch.segment(.batchID), "feedback"]
            case .add(let batch): ["integration", batch.segment(.batchID), "add"]
            case .submit(let batch): ["integration", batch.segment(.batchID), "submit"]
            case .entry(let entry, let step): ["integration", "entries", entry.segment(.entryID), step.rawValue]
            case .bulkVerify(let batch): ["integration", batch.segment(.batchID), "verify"]
            case .overview(let batch, _): ["integration", batch.segment(.batchID), "overview"]
            case .deadline(let batch): ["integration", batch.segment(.batchID), "deadline"]
            case .decide(let batch, let decision): ["integration", batch.segment(.batchID), decision.rawValue]
            case .summary: ["integration", "summary"]
            case .apiBatches: ["api", "v1", "integration", "batches"]
            case .apiEntries(let batch): ["api", "v1", "integration", batch.segment(.batchID), "entries"]
            case .apiFeedback(let batch): ["api", "v1", "integration", batch.segment(.batchID), "feedback"]
            case .apiSubmit(let batch): ["api", "v1", "integration", batch.segment(.batchID), "submit"]
            case .apiEntry(let entry, let step): ["api", "v1", "integration", "entries", entry.segment(.entryID), step.rawValue]
            case .apiBulkVerify(let batch): ["api", "v1", "integration", batch.segment(.batchID), "verify"]
            case .apiOverview(let batch): ["api", "v1", "integration", batch.segment(.batchID), "overview"]
            case .apiBatch(let batch): ["api", "v1", "integration", batch.segment(.batchID)]
            case .apiDecide(let batch, let decision): ["api", "v1", "integration", batch.segment(.batchID), decision.rawValue]
            case .apiSummary: ["api", "v1", "integration", "summary"]
            }
        }

        var query: [URLQueryItem] {
            switch self {
            case .county(_, let county), .feedbackWorkbook(_, let county): .init(["county": county])
            case .overview(_, let city): .init(["city": city])
            case .summary(let project, let region, let format): .init(["project": project, "region": region, "format": format])
            default: []
            }
        }

        static let routes: [(HTTPMethod, Self)] = [
            (.GET, .batches), (.GET, .county(.key)), (.GET, .feedbackWorkbook(.key)), (.POST, .feedback(.key)),
            (.POST, .add(.key)), (.POST, .submit(.key)), (.GET, .overview(.key)), (.POST, .deadline(.key)), (.GET, .summary()),
            (.GET, .apiBatches), (.GET, .apiEntries(.key)), (.POST, .apiEntries(.key)), (.POST, .apiFeedback(.key)),
            (.POST, .apiSubmit(.key)), (.GET, .apiOverview(.key)), (.PATCH, .apiBatch(.key)), (.GET, .apiSummary),
            (.POST, .bulkVerify(.key)), (.POST, .apiBulkVerify(.key)),
        ]
            + EntryStep.allCases.flatMap { [(.POST, .entry(.key, $0)), (.POST, .apiEntry(.key, $0))] }
            + Decision.allCases.flatMap { [(.POST, .decide(.key, $0)), (.POST, .apiDecide(.key, $0))] }
    }
}
