import Foundation
import Vapor

extension SiteURL {
    /// Spreadsheet imports: each kind has an upload form, a preview with its error workbook,
    /// a commit, and an API upload; and the progress of an upload being read.
    enum Imports: SiteResource {
        enum Kind: String, CaseIterable, Sendable {
            case teachers, statistics, integration
            /// A training institution's qualified list, proposed to the province: /institution/import.
            case institution

            /// Where the kind lives, e.g. /teachers/import; the API at /api/v1/teachers/import.
            var segments: [String] { [rawValue, "import"] }
        }

        /// The upload form (GET) and the upload (POST).
        case form(Kind)
        case errors(Kind, Parameter<Int>)
        case commit(Kind, Parameter<Int>)
        case api(Kind)
        case progress(Parameter<String>)

        var segments: [String] {
            switch self {
            case .form(let kind): kind.segments
            case .errors(let kind, let upload): kind.segments + [upload.segment(.uploadID), "errors.xlsx"]
            case .commit(let kind, let upload): kind.segments + [upload.segment(.uploadID), "commit"]
            case .api(let kind): ["api", "v1"] + kind.segments
            case .progress(let token): ["api", "v1", "imports", "progress", token.segment(.token)]
            }
        }

        static let routes: [(HTTPMethod, Self)] = [(.GET, .progress(.key))] + Kind.allCases.flatMap {
            [(.GET, .form($0)), (.POST, .form($0)), (.GET, .errors($0, .key)), (.POST, .commit($0, .key)), (.POST, .api($0))]
        }
    }
}
