import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

/// Reporting rates, the way DHIS2 shows them: for a task and a year, every unit one level
/// below the viewer (cities for the province, counties for a city; a county sees itself) is
/// on time, late or missing, read from `submissions` alone — the same for every workflow.
struct TimelinessService {
    let database: any Database
    let regions: RegionDirectory

    struct Unit: Content, Equatable {
        let code: String
        let name: String
        /// `onTime`, `late` or `missing`.
        let status: String
    }

    /// `GET /api/v1/timeliness`: exactly these keys.
    struct Report: Content {
        let deadline: String
        let onTime: Int
        let late: Int
        let missing: Int
        let units: [Unit]
    }

    /// The units `region`'s view lists: a province's cities, a city's counties, a county itself.
    func units(of region: Region) -> [Region] {
        switch region.level {
        case .province, .city: regions.children(of: region.code)
        case .county: [region]
        }
    }

    func report(_ task: ReportingTask, year: Int, region: Region) async throws -> Report {
        let deadlines = TaskDeadlines(database: database)
        let deadline = try await deadlines.deadline(task, year: year)
        let statuses = try await statuses(task, year: year, units: units(of: region), deadline: deadline)
        let units = statuses.map { Unit(code: $0.region.code, name: $0.region.name, status: $0.status.rawValue) }
        return Report(deadline: deadline.description,
                      onTime: statuses.count { $0.status == .onTime }, late: statuses.count { $0.status == .late },
                      missing: statuses.count { $0.status == .missing }, units: units)
    }

    /// Units (one level below `region`) still missing a task whose deadline has passed, with
    /// the year's deadlines read once. 待办 lists them; `TimelinessController.overdue` answers
    /// the same (one deadline query per task).
    func overdue(year: Int, region: Region, today: CivilDate) async throws -> [TimelinessController.Overdue] {
        let deadlines = try await TaskDeadlines(database: database).deadlines(year: year)
        var result: [TimelinessController.Overdue] = []
        for task in ReportingTask.all where task.onEngine {
            guard let deadline = deadlines[task.key], today > deadline else { continue }
            for unit in try await statuses(task, year: year, units: units(of: region), deadline: deadline) where unit.status == .missing {
                result.append(.init(task: task.key, taskName: task.name, deadline: deadline.description, code: unit.region.code, name: unit.region.name))
            }
        }
        return result
    }

    /// Each unit that takes part, with its status across the year's subjects.
    func statuses(_ task: ReportingTask, year: Int, units: [Region], deadline: CivilDate) async throws -> [(region: Region, status: ReportingStatus)] {
        guard !units.isEmpty else { return [] }
        let subjects = try await TaskDeadlines(database: database).subjects(task, year: year)
        let codes = units.map(\.code)
        var rows: [String: [Int: SubmissionModel]] = [:]
        for chunk in codes.chunked(into: 1000) where !subjects.isEmpty {
            for row in try await SubmissionModel.query(on: database).filter(\.$workflow == task.workflow)
                .filter(\.$subjectID ~~ subjects).filter(\.$regionCode ~~ chunk).all() {
                rows[row.regionCode, default: [:]][row.subjectID] = row
            }
        }
        let taking = try await participants(task, subjects: subjects, units: units)
        var result: [(region: Region, status: ReportingStatus)] = []
        for unit in units {
            var each: [ReportingStatus] = []
            for subject in subjects where taking[subject]?.contains(unit.code) ?? true {
                let row = rows[unit.code]?[subject]
                each.append(ReportingStatus.of(state: try row?.state() ?? .open, submittedOn: row?.submittedAt.map { CivilDate.today(now: $0) },
                                               deadline: deadline))
            }
            guard !each.isEmpty else { continue }
            result.append((unit, ReportingStatus.combined(each)))
        }
        return result
    }

    /// For tasks where not every unit reports: per subject, the codes that do; nil means every unit.
    private func participants(_ task: ReportingTask, subjects: [Int], units: [Region]) async throws -> [Int: Set<String>] {
        guard case .listedIn(let table, let subjectColumn) = task.participation, let level = units.first?.level, !subjects.isEmpty else { return [:] }
        let column = level == .city ? "city_code" : "county_code"
        struct Row: Decodable { let subject: Int; let code: String }
        var result: [Int: Set<String>] = [:]
        for subject in subjects { result[subject] = [] }
        let sql = database as! any SQLDatabase
        for row in try await sql.select().distinct().column(SQLAlias(SQLIdentifier(subjectColumn), as: SQLIdentifier("subject")))
            .column(SQLAlias(SQLIdentifier(column), as: SQLIdentifier("code"))).from(table)
            .where(SQLIdentifier(subjectColumn), .in, subjects).where(SQLIdentifier(column), .isNot, SQLLiteral.null)
            .all(decoding: Row.self) {
            result[row.subject, default: []].insert(row.code)
        }
        return result
    }

    /// The reminders a unit has not yet answered: one per task and year it is still missing.
    func openReminders(for region: Region) async throws -> [ReminderModel] {
        let reminders = try await ReminderModel.query(on: database).filter(\.$regionCode == region.code).sort(\.$sentAt, .descending).all()
        var open: [ReminderModel] = []
        var seen = Set<String>()
        for reminder in reminders {
            let key = "\(reminder.task)/\(reminder.year)"
            guard !seen.contains(key), let task = ReportingTask.named(reminder.task) else { continue }
            seen.insert(key)
            let deadline = try await TaskDeadlines(database: database).deadline(task, year: reminder.year)
            let status = try await statuses(task, year: reminder.year, units: [region], deadline: deadline).first?.status
            if status == .missing { open.append(reminder) }
        }
        return open
    }
}
