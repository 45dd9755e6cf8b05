import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Leaf
import LeafKit
import PeixunCore
import SQLKit
import Vapor

/// Assembles the app: storage, migrations, views, middleware, routes and commands.
/// Tests call it too, with their own `AppConfig`.
public func configure(_ app: Application, config: AppConfig) async throws {
    app.storage[AppConfigKey.self] = config
    app.http.server.configuration.hostname = config.hostname
    app.http.server.configuration.port = config.port

    // Before the databases are set up: they take the pool they find.
    app.threadPool = NIOThreadPool(numberOfThreads: AppConfig.blockingThreads)
    try configureDatabase(app, storage: config.storage)
    Migrations.register(on: app)

    let resources = Bundle.module.bundleURL.appendingPathComponent("Resources").path + "/"
    app.directory.viewsDirectory = resources + "Views/"
    app.directory.publicDirectory = resources + "Public/"
    app.views.use(.leaf)
    // The templates live in the package's resource bundle, inside `.build`, which Leaf's
    // default "visible files only" limit would refuse; keep the sandbox and extension limits.
    app.leaf.sources = .singleSource(NIOLeafFiles(
        fileio: app.fileio, limits: [.toSandbox, .requireExtensions, .onlyLeafExtensions],
        sandboxDirectory: app.directory.viewsDirectory, viewDirectory: app.directory.viewsDirectory))

    app.passwords.use(.bcrypt(cost: 12))

    // Outermost first: headers go on every response, errors become pages or JSON, static
    // files need no session, then who is asking, then whether a form may change anything.
    app.middleware = Middlewares()
    // Request id, metrics and the one log line per request (Operations/).
    try OperationsSetup.install(on: app)
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(ErrorRenderingMiddleware())
    app.middleware.use(PublicFilesMiddleware(publicDirectory: app.directory.publicDirectory))
    app.middleware.use(SessionMiddleware())
    app.middleware.use(BearerTokenMiddleware())
    app.routes.defaultMaxBodySize = "64kb"

    app.jobs = JobQueue()
    try routes(app)
    // Uploads a crashed process left behind.
    app.uploads.sweep(now: app.clock.now())
    app.verificationThrottle = VerificationThrottle(
        perMinute: Environment.get("PEIXUN_VERIFY_PER_MINUTE").flatMap(Int.init).map { min(max($0, 1), 1_000_000_000) } ?? 120,
        instances: config.instances)
    app.verificationCache = VerificationCache(lifetime: TimeInterval(config.verificationCacheSeconds),
                                              byteCapacity: config.verificationCacheMegabytes * 1_048_576)

    app.asyncCommands.use(DemoCommand(), as: "demo")
    app.asyncCommands.use(ReportCommand(), as: "report")
    app.asyncCommands.use(ContactsCommand(), as: "contacts")
    app.asyncCommands.use(TemplatesCommand(), as: "templates")
    app.asyncCommands.use(PlansCommand(), as: "plans")
    app.asyncCommands.use(UserCommand(), as: "user")
    app.asyncCommands.use(CertificatesCommand(), as: "certificates")
    app.asyncCommands.use(ImportCommand(), as: "import")
    app.asyncCommands.use(InspectCommand(), as: "inspect")
    app.asyncCommands.use(DemoRosterCommand(), as: "demo-roster")
    app.asyncCommands.use(BackupCommand(), as: "backup")
    app.asyncCommands.use(RestoreCommand(), as: "restore")
    app.asyncCommands.use(CheckCommand(), as: "check")
}

private func configureDatabase(_ app: Application, storage: AppConfig.Storage) throws {
    switch storage {
    case .sqlite(let path):
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        app.databases.use(.sqlite(.file(path), sqlLogLevel: nil), as: .sqlite)
        app.lifecycle.use(SQLiteTuning())
    case .postgres(let url, let searchPath):
        var configuration = try SQLPostgresConfiguration(url: url)
        if let searchPath { configuration.searchPath = [searchPath] }
        app.databases.use(.postgres(configuration: configuration, maxConnectionsPerEventLoop: 4, sqlLogLevel: .debug), as: .psql)
    }
    app.lifecycle.use(NationalRegionsLoader())
}

func routes(_ app: Application) throws {
    // Every route hangs off this group, so that no form can skip the CSRF check. It is a route
    // middleware, not a global one, so that it reads bodies after the route has collected them
    // (uploads are larger than a global middleware would see).
    let root = app.grouped(CSRFMiddleware())
    root.get(.healthz) { _ in "ok" }
    OperationsController().boot(routes: root)
    try root.register(collection: LoginController())
    try root.register(collection: AccountController())
    VerificationController().boot(routes: root)
    HelpController().boot(routes: root)
    SessionTimeoutController().boot(routes: root)

    let protected = root.grouped(RequireUserMiddleware())
    protected.get(.home) { request -> Response in
        let user = try request.requireUser()
        if user.scope.root(in: request.application.regions) != nil {
            return request.redirect(to: SiteURL.todo(.page).path)
        }
        if user.role == .teacher { return request.redirect(to: SiteURL.teachers(.myTraining).path) }
        if user.role == .reviewer { return request.redirect(to: SiteURL.certificates(.titleCheck).path) }
        if user.role == .institution { return request.redirect(to: SiteURL.todo(.page).path) }
        return request.redirect(to: SiteURL.accounts(.password).path)
    }
    try protected.register(collection: ProgressController())
    AccountController().bootProtected(routes: protected)
    UsersController().boot(routes: protected)
    AuditController().boot(routes: protected)
    MyTrainingController().boot(routes: protected)
    TeacherListController().boot(routes: protected)
    TeacherFormController().boot(routes: protected)
    TransferController().boot(routes: protected)
    TeacherDetailController().boot(routes: protected)
    ImportController(kind: .teachers).boot(routes: protected)
    ImportController(kind: .officialCounts).boot(routes: protected)
    ImportController(kind: .qualifiedList).boot(routes: protected)
    ImportController(kind: .proposedList).boot(routes: protected)
    ProposedListController().boot(routes: protected)
    InstitutionLinksController().boot(routes: protected)
    ImportProgressController().boot(routes: protected)
    IntegrationController().boot(routes: protected)
    ApprovalController().boot(routes: protected)
    SummaryController().boot(routes: protected)
    ProjectsController().boot(routes: protected)
    UntrainedExportController().boot(routes: protected)
    CertificatesController().boot(routes: protected)
    MyCertificatesController().boot(routes: protected)
    TitleCheckController().boot(routes: protected)
    ReissueController().boot(routes: protected)
    ContactsController().boot(routes: protected)
    TimelinessController().boot(routes: protected)
    PlansController().boot(routes: protected)
    TodoController().boot(routes: protected)
    TemplatesController().boot(routes: protected)
    DashboardController().boot(routes: protected)
    FrozenController().boot(routes: protected)
    ProgressApprovalController().boot(routes: protected)
    JobsController().boot(routes: protected)
}

struct AppConfigKey: StorageKey {
    typealias Value = AppConfig
}

extension Application {
    var config: AppConfig { storage[AppConfigKey.self]! }
    var regions: RegionDirectory { nationalRegions ?? .sichuan }
}

/// WAL lets readers run beside the one writer; the busy timeout makes a second writer wait
/// instead of failing. The pool holds one long-lived connection per event loop, so the
/// per-connection settings are applied to each of them once at start.
struct SQLiteTuning: LifecycleHandler {
    func didBootAsync(_ application: Application) async throws {
        for eventLoop in application.eventLoopGroup.makeIterator() {
            let database = application.databases.database(logger: application.logger, on: eventLoop)! as! any SQLDatabase
            try await database.raw("PRAGMA journal_mode = WAL").run()
            try await database.raw("PRAGMA busy_timeout = 10000").run()
            try await database.raw("PRAGMA synchronous = NORMAL").run()
        }
    }
}
