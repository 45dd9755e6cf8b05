import Foundation
import PeixunCore
import Vapor

/// The one source of time: the live clock in production, a fixed one in tests, so that
/// deadlines and lateness are tested by setting the date rather than computing around it.
protocol AppClock: Sendable {
    func now() -> Date
}

extension AppClock {
    /// Today in China, where every deadline of the programme falls.
    func today() -> CivilDate { .today(now: now()) }
}

struct LiveClock: AppClock {
    func now() -> Date { Date() }
}

/// A clock that tests set and move.
final class FixedClock: AppClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ date: Date) { current = date }

    convenience init(_ day: CivilDate, hour: Int = 10) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = CivilDate.chinaTimeZone
        self.init(calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: hour))!)
    }

    func now() -> Date { lock.withLock { current } }

    func set(_ date: Date) { lock.withLock { current = date } }
}

private struct AppClockKey: StorageKey { typealias Value = any AppClock }

extension Application {
    var clock: any AppClock {
        get { storage[AppClockKey.self] ?? LiveClock() }
        set { storage[AppClockKey.self] = newValue }
    }
}

extension Request {
    var clock: any AppClock { application.clock }
}

extension Duration {
    /// The duration in seconds, for reports of how long something took.
    var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
