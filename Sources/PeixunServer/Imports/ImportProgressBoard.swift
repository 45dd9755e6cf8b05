import Foundation
import PeixunSheets
import Vapor

/// The reads in progress, by the token the upload page made up, so that the page can poll
/// how far the server has got. Kept in this process: a deployment with several app instances
/// needs sticky sessions for the bar (the import itself does not depend on it).
final class ImportProgressBoard: @unchecked Sendable {
    private struct Entry {
        let userID: Int
        let progress: ReadProgress
        let created: ContinuousClock.Instant
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    /// A token the page may choose: letters, digits and dashes, 8–64 of them.
    static func isValid(_ token: String) -> Bool {
        (8...64).contains(token.utf8.count) && token.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 }
    }

    func start(token: String, userID: Int) -> ReadProgress {
        let progress = ReadProgress()
        lock.withLock {
            // Progress is shown for an hour at most: elapsed time, not the calendar.
            let now = ContinuousClock.now
            entries = entries.filter { now - $0.value.created < .seconds(3_600) }
            entries[token] = Entry(userID: userID, progress: progress, created: now)
        }
        return progress
    }

    /// Only the user who started the read sees it.
    func progress(token: String, userID: Int) -> ReadProgress? {
        lock.withLock { entries[token].flatMap { $0.userID == userID ? $0.progress : nil } }
    }
}

extension Application {
    private struct ImportProgressKey: StorageKey { typealias Value = ImportProgressBoard }

    var importProgress: ImportProgressBoard {
        if let board = storage[ImportProgressKey.self] { return board }
        let board = ImportProgressBoard()
        storage[ImportProgressKey.self] = board
        return board
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

    @Sendable func show(request: Request) async throws -> ProgressDTO {
        let user = try request.requireUser()
        guard let token = request.parameters.get(.token), ImportProgressBoard.isValid(token),
              let progress = request.application.importProgress.progress(token: token, userID: user.id)
        else { throw AppError.notFound("导入进度") }
        let snapshot = progress.snapshot()
        let labels: [ReadProgress.Phase: String] = [.reading: "正在读取并逐行检查", .checking: "正在与名册核对", .writing: "正在写入",
                                                    .done: "已完成", .failed: "未完成"]
        var secondsLeft: Int?
        if snapshot.phase == .reading, let fraction = snapshot.fraction, fraction > 0.02 {
            secondsLeft = Int((snapshot.elapsed * (1 - fraction) / fraction).rounded(.up))
        }
        return ProgressDTO(phase: snapshot.phase.rawValue, phaseLabel: labels[snapshot.phase] ?? "", rows: snapshot.rows,
                           fraction: snapshot.fraction, rowsPerSecond: snapshot.elapsed > 0 ? Int(Double(snapshot.rows) / snapshot.elapsed) : 0,
                           secondsLeft: secondsLeft)
    }
}
