import Foundation
import Vapor

/// Every path the app serves, in one place: routes register from it and pages link with it,
/// so a renamed path renames its links too.
///
/// Each feature has a nested enum in `SiteURL+Feature.swift` whose cases are its paths. A
/// path parameter is a `Parameter`: `.value(…)` in a link, `.key` when the route is
/// registered. To add a feature: write `enum Feature: SiteResource` in its own file (its
/// `segments`, `query` if links carry one, and `routes`), add `case feature(Feature)` here
/// with a line in `resource` and in `allRoutes`, and register each route with
/// `routes.get(.feature(.x(.key)), use: …)`. `SiteURLTests` fails until the registered
/// routes and `allRoutes` agree.
enum SiteURL: Sendable, Hashable {
    case home
    case healthz
    case accounts(Accounts)
    case teachers(Teachers)
    case reports(Reports)
    case imports(Imports)
    case integration(Integration)
    case projects(Projects)
    case audit(Audit)
    case certificates(Certificates)
    case reissue(Reissue)
    case contacts(Contacts)
    case timeliness(Timeliness)
    case plans(Plans)
    case todo(Todo)
    case operations(Operations)
    case institutions(Institutions)
    case templates(Templates)
    case help(Help)
    case session(Session)
    case dashboard(Dashboard)
    case frozen(Frozen)
    case jobs(Jobs)

    /// Every route the app registers: method and path, parameters as `:name`.
    static let allRoutes: [SiteRoute] = [SiteRoute(.GET, .home), SiteRoute(.GET, .healthz)]
        + Accounts.routes.map { SiteRoute($0.0, .accounts($0.1)) }
        + Teachers.routes.map { SiteRoute($0.0, .teachers($0.1)) }
        + Reports.routes.map { SiteRoute($0.0, .reports($0.1)) }
        + Imports.routes.map { SiteRoute($0.0, .imports($0.1)) }
        + Integration.routes.map { SiteRoute($0.0, .integration($0.1)) }
        + Projects.routes.map { SiteRoute($0.0, .projects($0.1)) }
        + Audit.routes.map { SiteRoute($0.0, .audit($0.1)) }
        + Certificates.routes.map { SiteRoute($0.0, .certificates($0.1)) }
        + Reissue.routes.map { SiteRoute($0.0, .reissue($0.1)) }
        + Contacts.routes.map { SiteRoute($0.0, .contacts($0.1)) }
        + Timeliness.routes.map { SiteRoute($0.0, .timeliness($0.1)) }
        + Plans.routes.map { SiteRoute($0.0, .plans($0.1)) }
        + Todo.routes.map { SiteRoute($0.0, .todo($0.1)) }
        + Operations.routes.map { SiteRoute($0.0, .operations($0.1)) }
        + Institutions.routes.map { SiteRoute($0.0, .institutions($0.1)) }
        + Templates.routes.map { SiteRoute($0.0, .templates($0.1)) }
        + Help.routes.map { SiteRoute($0.0, .help($0.1)) }
        + Session.routes.map { SiteRoute($0.0, .session($0.1)) }
        + Dashboard.routes.map { SiteRoute($0.0, .dashboard($0.1)) }
        + Frozen.routes.map { SiteRoute($0.0, .frozen($0.1)) }
        + Jobs.routes.map { SiteRoute($0.0, .jobs($0.1)) }

    /// Paths under this prefix answer in JSON.
    static let apiPrefix = "/api/"

    private var resource: (any SiteResource)? {
        switch self {
        case .home, .healthz: nil
        case .accounts(let resource): resource
        case .teachers(let resource): resource
        case .reports(let resource): resource
        case .imports(let resource): resource
        case .integration(let resource): resource
        case .projects(let resource): resource
        case .audit(let resource): resource
        case .certificates(let resource): resource
        case .reissue(let resource): resource
        case .contacts(let resource): resource
        case .timeliness(let resource): resource
        case .plans(let resource): resource
        case .todo(let resource): resource
        case .operations(let resource): resource
        case .institutions(let resource): resource
        case .templates(let resource): resource
        case .help(let resource): resource
        case .session(let resource): resource
        case .dashboard(let resource): resource
        case .frozen(let resource): resource
        case .jobs(let resource): resource
        }
    }

    var segments: [String] {
        switch self {
        case .home: []
        case .healthz: ["healthz"]
        default: resource?.segments ?? []
        }
    }

    /// The link: path and, where the case carries one, its query.
    var path: String { path(adding: []) }

    /// The link with more query items after the case's own (a list's filters, a page number).
    func path(adding extra: [URLQueryItem]) -> String {
        let path = "/" + segments.joined(separator: "/")
        let items = (resource?.query ?? []) + extra
        guard !items.isEmpty else { return path }
        return path + "?" + items.map { "\(Self.encode($0.name))=\(Self.encode($0.value ?? ""))" }.joined(separator: "&")
    }

    /// For registration: parameters given as `.key` become `:name` components.
    var pathComponents: [PathComponent] { segments.map { PathComponent(stringLiteral: $0) } }

    /// "/teachers/:teacherID", as the route table shows it.
    var pattern: String { "/" + segments.joined(separator: "/") }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}

/// One feature's paths; see `SiteURL`.
protocol SiteResource: Sendable, Hashable {
    /// The path after "/", each parameter as its value (a link) or as ":name" (a route).
    var segments: [String] { get }
    /// What a link carries after "?"; nil values are left out.
    var query: [URLQueryItem] { get }
    /// Every route of the feature, parameters as `.key`.
    static var routes: [(HTTPMethod, Self)] { get }
}

extension SiteResource {
    var query: [URLQueryItem] { [] }
}

extension Array where Element == URLQueryItem {
    /// Query items from name–value pairs, leaving out those without a value.
    init(_ pairs: KeyValuePairs<String, (any CustomStringConvertible)?>) {
        self = pairs.compactMap { name, value in value.map { URLQueryItem(name: name, value: $0.description) } }
    }
}

extension SiteURL {
    /// A path parameter: its value in a link, its `:name` placeholder when the route is registered.
    enum Parameter<Value: Sendable & Hashable & CustomStringConvertible>: Sendable, Hashable {
        case key
        case value(Value)

        func segment(_ key: Key) -> String {
            switch self {
            case .key: ":" + key.rawValue
            case .value(let value): SiteURL.encode(value.description)
            }
        }
    }

    /// The names of path parameters, shared by `SiteURL` and the handlers that read them.
    enum Key: String, CaseIterable, Sendable {
        case teacherID, transferID, userID, schoolID, uploadID, token, batchID, entryID, number, requestID, roundID
        /// A plan's year and the county or city it is about.
        case year, regionCode
        /// A training institution's proposed qualified list (`proposed_lists`).
        case proposalID
        /// An approved table's snapshot (`frozen_tables`).
        case snapshotID
        /// A background job (`jobs`).
        case jobID
    }
}

extension Parameters {
    func get(_ key: SiteURL.Key) -> String? {
        get(key.rawValue)
    }

    func get<Value: LosslessStringConvertible>(_ key: SiteURL.Key, as type: Value.Type) -> Value? {
        get(key.rawValue, as: type)
    }
}

/// A method and a path the app answers.
struct SiteRoute: Sendable, CustomStringConvertible {
    let method: HTTPMethod
    let url: SiteURL

    init(_ method: HTTPMethod, _ url: SiteURL) {
        self.method = method
        self.url = url
    }

    /// "GET /teachers/:teacherID".
    var description: String { "\(method.rawValue) \(url.pattern)" }
}

extension RoutesBuilder {
    typealias SiteHandler<Response> = @Sendable (Request) async throws -> Response

    /// Registers a route at a `SiteURL` whose parameters are `.key`s; `upload` streams the body.
    @discardableResult func get<R: AsyncResponseEncodable & Sendable>(_ url: SiteURL, use handler: @escaping SiteHandler<R>) -> Route { on(.GET, url.pathComponents, use: handler) }
    @discardableResult func post<R: AsyncResponseEncodable & Sendable>(_ url: SiteURL, use handler: @escaping SiteHandler<R>) -> Route { on(.POST, url.pathComponents, use: handler) }
    @discardableResult func patch<R: AsyncResponseEncodable & Sendable>(_ url: SiteURL, use handler: @escaping SiteHandler<R>) -> Route { on(.PATCH, url.pathComponents, use: handler) }
    @discardableResult func delete<R: AsyncResponseEncodable & Sendable>(_ url: SiteURL, use handler: @escaping SiteHandler<R>) -> Route { on(.DELETE, url.pathComponents, use: handler) }
    @discardableResult func upload<R: AsyncResponseEncodable & Sendable>(_ url: SiteURL, use handler: @escaping SiteHandler<R>) -> Route { upload(url.pathComponents, use: handler) }
}
