import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import Vapor

/// 导入模板: the page listing the templates of the imports this user makes, and each template
/// written on request (header from the importer, the example in the user's own region).
struct TemplatesController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.templates(.page), use: page)
        for kind in ImportTemplate.Kind.allCases {
            routes.get(.templates(.file(kind))) { request in try await download(kind, request: request) }
        }
    }

    struct Page: Encodable, Sendable {
        struct Item: Encodable, Sendable {
            let title: String
            let url: String
            let headers: String
            let uploadURL: String
            let uploadLabel: String
        }
        let pageTitle = "导入模板"
        let items: [Item]
        let helpURL = SiteURL.help(.index).path
        let hasItems: Bool
    }

    /// The templates a user imports (a teacher has none); the whole tree's qualified lists only
    /// the top office (`ImportKind.topOfficeOnly`).
    static func kinds(for user: CurrentUser) -> [ImportTemplate.Kind] {
        ImportTemplate.Kind.allCases.filter { $0.roles.contains(user.role) && ($0 != .qualifiedList || user.isTopOffice) }
    }

    @Sendable func page(request: Request) async throws -> View {
        let user = try request.requireUser()
        let items = Self.kinds(for: user).map { kind in
            Page.Item(title: kind.title, url: kind.url.path, headers: Self.headers(kind).joined(separator: " · "),
                      uploadURL: kind.uploadURL.path, uploadLabel: kind.uploadLabel)
        }
        return try await request.renderPage("templates", Page(items: items, hasItems: !items.isEmpty))
    }

    /// The header row, as the template writes it.
    static func headers(_ kind: ImportTemplate.Kind) -> [String] {
        switch kind {
        case .plans: ["市(州)", "县(市、区)", "专任教师数…", "省级及以上项目需求数", "市县级培训计划数", "备注"]
        default: ImportTemplate(kind: kind, place: .example, year: ReportingYears.current).content.headers
        }
    }

    /// Any signed-in user may download any template (there is nothing secret in one); the
    /// example row is placed in the user's own region.
    @Sendable func download(_ kind: ImportTemplate.Kind, request: Request) async throws -> Response {
        let user = try request.requireUser()
        let place = try await Self.place(for: user.scope, regions: request.application.regions, on: request.db)
        let year = kind == .plans ? ReportingYears.current + 1 : ReportingYears.current
        let path = NSTemporaryDirectory() + "peixun-template-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ImportTemplate(kind: kind, place: place, year: year).write(to: path)
        let ascii = (kind.fileName as NSString).deletingPathExtension
        return try TableDownload.file(at: path, fileName: kind.title, asciiFileName: ascii)
    }

    /// The example's county: the user's own, the first of its city (by code), or else 锦江区
    /// (510104); and the county's first registered school, or a made-up one.
    static func place(for scope: RegionScope, regions: RegionDirectory, on database: any Database) async throws -> ImportTemplate.Place {
        let chosen: Region? = switch scope {
        case .county(let code): regions.region(code: code)
        case .city(let code), .province(let code): regions.counties(in: code).min { $0.code < $1.code }
        case .all, .none, .teacher: regions.region(code: ImportTemplate.Place.exampleCounty)
        }
        guard let county = chosen, let city = regions.parent(of: county) else { throw AppError.notFound("示例所在的县(市、区)") }
        let school = try await SchoolModel.query(on: database).filter(\.$countyCode == county.code)
            .filter(\.$stage == Stage.primarySecondary.rawValue).sort(\.$id).first()
        return ImportTemplate.Place(city: city, county: county, school: school?.name ?? county.name + "实验小学",
                                    stage: school.flatMap { Stage(rawValue: $0.stage) } ?? .primarySecondary)
    }
}

extension ImportTemplate.Place {
    /// 锦江区 of 成都市: the example county for the province and users without a region.
    static let exampleCounty = "510104"

    /// For listing headers only.
    static var example: Self {
        let county = Region(code: exampleCounty, name: "锦江区", level: .county, parentCode: "510100")
        let city = Region(code: "510100", name: "成都市", level: .city, parentCode: "510000")
        return Self(city: city, county: county, school: "实验小学", stage: .primarySecondary)
    }
}
