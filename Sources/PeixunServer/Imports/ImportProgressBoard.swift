import Fluent
import Foundation
import PeixunSheets
import Vapor

/// The reads in progress, by the token the upload page made up, so that the page can poll
/// how far the server has got. Kept in the database (`import_progress`), so that a poll
/// reaching another instance than the one reading sees it too. The reader only counts in
/// memory (`ReadProgress`); a small task copies the count into the row at most every
/// `interval`, and once more at the end.
enum ImportProgressBoard {
    static let interval: Duration = .milliseconds(250)

    /// A token the page may choose: letters, digits and dashes, 8–64 of them.
    static func isValid(_ token: String) -> Bool {
        (8...64).contains(token.utf8.count) && token.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 }
    }

    /// A read being followed: the counter the reader updates and the task that publishes it.
    final class Tracker: Sendable {
        let token: String
        let progress: ReadProgress
        fileprivate let publisher: Task<Void, Never>

        fileprivate init(token: String, progress: ReadProgress, publisher: Task<Void, Never>) {
            self.token = token
            self.progress = progress
            self.publisher = publisher
        }
    }

    static func start(token: String, userID: Int, app: Application) async throws -> Tracker {
        let db = app.db
        let now = app.clock.now()
        // Progress is shown for an hour at most.
        try await ImportProgressModel.query(on: db).group(.or) { $0.filter(\.$token == token).filter(\.$updatedAt < now.addingTimeInterval(-3_600)) }.delete()
        let row = ImportProgressModel()
        row.token = token
        row.userID = userID
        row.phase = ReadProgress.Phase.reading.rawValue
        row.rows = 0
        row.elapsed = 0
        row.updatedAt = now
        try await row.create(on: db)
        let progress = ReadProgress()
        let publisher = Task {
            var last = -1
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                let snapshot = progress.snapshot()
                // Unchanged counts are not written again (the phase changes with the count's writes).
                guard snapshot.rows != last || snapshot.phase != .reading else { continue }
                last = snapshot.rows
                try? await write(snapshot, token: token, on: db, now: app.clock.now())
            }
        }
        return Tracker(token: token, progress: progress, publisher: publisher)
    }

    /// Ends the read: the final state is written before the response goes out, so that the
    /// page's last poll finds it.
    static func finish(_ tracker: Tracker, phase: ReadProgress.Phase, app: Application) async {
        tracker.publisher.cancel()
        await tracker.publisher.value
        tracker.progress.enter(phase)
        try? await write(tracker.progress.snapshot(), token: tracker.token, on: app.db, now: app.clock.now())
    }

    private static func write(_ snapshot: ReadProgress.Snapshot, token: String, on db: any Database, now: Date) async throws {
        try await ImportProgressModel.query(on: db).filter(\.$token == token)
            .set(\.$phase, to: snapshot.phase.rawValue).set(\.$rows, to: snapshot.rows).set(\.$fraction, to: snapshot.fraction)
            .set(\.$elapsed, to: snapshot.elapsed).set(\.$updatedAt, to: now).update()
    }
}

/// `GET /api/v1/imports/progress/:token`: rows read, rows per second and the time left.
struct ImportProgressController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.imports(.progress(.key)), use: show)
    }

    struct ProgressDTO: Content {
        let phase: String
        let phaseLabel: String
        let rows: Int
        let fraction: Double?
        let rowsPerSecond: Int
        let secondsLeft: Int?
    }

    /// Only the user who started the read sees it.
    @Sendable func show(request: Request) async throws -> ProgressDTO {
        let user = try request.requireUser()
        guard let token = request.parameters.get(.token), ImportProgressBoard.isValid(token),
              let row = try await ImportProgressModel.query(on: request.db).filter(\.$token == token).filter(\.$userID == user.id).first(),
              let phase = ReadProgress.Phase(rawValue: row.phase)
        else { throw AppError.notFound("导入进度") }
        let labels: [ReadProgress.Phase: String] = [.reading: "正在读取并逐行检查", .checking: "正在与名册核对", .writing: "正在写入",
                                                    .done: "已完成", .failed: "未完成"]
        var secondsLeft: Int?
        if phase == .reading, let fraction = row.fraction, fraction > 0.02 {
            secondsLeft = Int((row.elapsed * (1 - fraction) / fraction).rounded(.up))
        }
        return ProgressDTO(phase: phase.rawValue, phaseLabel: labels[phase] ?? "", rows: row.rows,
                           fraction: row.fraction, rowsPerSecond: row.elapsed > 0 ? Int(Double(row.rows) / row.elapsed) : 0,
                           secondsLeft: secondsLeft)
    }
}

/// One followed read: what the upload page's bar shows.
final class ImportProgressModel: Model, @unchecked Sendable {
    static let schema = "import_progress"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "token") var token: String
    @Field(key: "user_id") var userID: Int
    @Field(key: "phase") var phase: String
    @Field(key: "rows") var rows: Int
    @OptionalField(key: "fraction") var fraction: Double?
    /// Seconds since the read started, as the reader measured them.
    @Field(key: "elapsed") var elapsed: Double
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

struct CreateImportProgress: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ImportProgressModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("token", .string, .required)
            .field("user_id", .int, .required, .references(UserModel.schema, .id, onDelete: .cascade))
            .field("phase", .string, .required)
            .field("rows", .int, .required)
            .field("fraction", .double)
            .field("elapsed", .double, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "token")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ImportProgressModel.schema).delete()
    }
}
