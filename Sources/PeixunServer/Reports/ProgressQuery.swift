import PeixunCore
import Vapor

/// The query parameters of every progress view: `year`, `region`, `format`, `page`.
struct ProgressQuery: Sendable {
    let year: Int
    let regionCode: String
    let format: String?

    static let years = 2000...2100

    static func decode(from request: Request, defaultYear: () async throws -> Int) async throws -> ProgressQuery {
        struct Raw: Decodable {
            let year: String?
            let region: String?
            let format: String?
        }
        let raw = try request.query.decode(Raw.self)
        let year: Int
        if let text = raw.year?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard let value = Int(text), years.contains(value) else {
                throw AppError.badRequest(code: "year.invalid", "年度参数无效（\(text.prefix(20))）：应为\(years.lowerBound)至\(years.upperBound)之间的四位年份")
            }
            year = value
        } else {
            year = try await defaultYear()
        }
        let regions = request.application.regions
        guard let root = request.scope.root(in: regions) else { throw AppError.notFound() }
        let region = raw.region?.trimmingCharacters(in: .whitespaces).nilIfEmpty ?? root
        // Outside the user's subtree is the same as not existing.
        guard request.scope.contains(regionCode: region, in: regions) else {
            throw AppError.notFound("行政区划")
        }
        if let format = raw.format, !["html", "xlsx", "json"].contains(format) {
            throw AppError.badRequest(code: "format.invalid", "不支持的格式（\(format.prefix(20))）：可选 html、xlsx、json")
        }
        return ProgressQuery(year: year, regionCode: region, format: raw.format)
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
