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
    /// the year's deadlines read once and every such task's submissions in one query (待办 read
    /// them task by task: four queries one after the other, bench/README.md). 待办 lists them;
    /// `TimelinessController.overdue` answers the same (one deadline query per task).
    func overdue(year: Int, region: Region, today: CivilDate) async throws -> [TimelinessController.Overdue] {
        let deadlines = TaskDeadlines(database: database)
        // The subjects (a query for the integration's batches) while the deadlines are read.
        async let due = deadlines.deadlines(year: year)
        var subjects: [String: [Int]] = [:]
        for task in ReportingTask.all where task.onEngine { subjects[task.key] = try await deadlines.subjects(task, year: year) }
        var tasks: [Due] = []
        for task in ReportingTask.all where task.onEngine {
            guard let deadline = try await due[task.key], today > deadline else { continue }
            tasks.append(Due(task: task, subjects: subjects[task.key] ?? [], deadline: deadline))
        }
        var result: [TimelinessController.Overdue] = []
        for (task, units) in zip(tasks, try await statuses(of: tasks, units: units(of: region))) {
            for unit in units where unit.status == .missing {
                result.append(.init(task: task.task.key, taskName: task.task.name, deadline: task.deadline.description,
                                    code: unit.region.code, name: unit.region.name))
            }
        }
        return result
    }

    /// Each unit that takes part, with its status across the year's subjects.
    func statuses(_ task: ReportingTask, year: Int, units: [Region], deadline: CivilDate) async throws -> [(region: Region, status: ReportingStatus)] {
        let subjects = try await TaskDeadlines(database: database).subjects(task, year: year)
        return try await statuses(of: [Due(task: task, subjects: subjects, deadline: deadline)], units: units)[0]
    }

    /// A task of a year with its subjects and deadline.
    struct Due {
        let task: ReportingTask
        let subjects: [Int]
        let deadline: CivilDate
    }

    /// `statuses` of several tasks, their submissions read together: one list per task, in order.
    func statuses(of tasks: [Due], units: [Region]) async throws -> [[(region: Region, status: ReportingStatus)]] {
        guard !units.isEmpty else { return tasks.map { _ in [] } }
        struct Row: Decodable { let id: Int; let workflow: String; let subject_id: Int; let region_code: String; let state: String; let submitted_at: Date? }
        let sql = database as! any SQLDatabase
        // Who takes part while the submissions are read.
        async let participating = participants(of: tasks, units: units)
        let wanted = tasks.filter { !$0.subjects.isEmpty }
        // workflow → region → subject → (state, submitted on)
        var rows: [String: [String: [Int: (ApprovalState, CivilDate?)]]] = [:]
        // Lists as arrays on PostgreSQL, so that the statement's text does not change with their lengths.
        let each = wanted.map { "(workflow = \(bind: $0.task.workflow) AND (\(sql.predicates("subject_id", in: $0.subjects).joined(separator: " OR "))))" as SQLQueryString }
        for units in sql.predicates("region_code", in: units.map(\.code)) where !wanted.isEmpty {
            for row in try await sql.preparedAll("""
                SELECT id, workflow, subject_id, region_code, state, submitted_at FROM submissions
                WHERE \(units) AND (\(each.joined(separator: " OR ")))
                """, decoding: Row.self) {
                let state = try ApprovalState.read(row.state, table: SubmissionModel.schema, row: row.id, column: "state")
                rows[row.workflow, default: [:]][row.region_code, default: [:]][row.subject_id] = (state, row.submitted_at.map { CivilDate.today(now: $0) })
            }
        }
        var result: [[(region: Region, status: ReportingStatus)]] = []
        for (due, taking) in zip(tasks, try await participating) {
            var statuses: [(region: Region, status: ReportingStatus)] = []
            for unit in units {
                var each: [ReportingStatus] = []
                for subject in due.subjects where taking[subject]?.contains(unit.code) ?? true {
                    let row = rows[due.task.workflow]?[unit.code]?[subject]
                    each.append(ReportingStatus.of(state: row?.0 ?? .open, submittedOn: row?.1, deadline: due.deadline))
                }
                guard !each.isEmpty else { continue }
                statuses.append((unit, ReportingStatus.combined(each)))
            }
            result.append(statuses)
        }
        return result
    }

    private func participants(of tasks: [Due], units: [Region]) async throws -> [[Int: Set<String>]] {
        var result: [[Int: Set<String>]] = []
        for due in tasks { result.append(try await participants(due.task, subjects: due.subjects, units: units)) }
        return result
    }

    /// For tasks where not every unit reports: per subject, the codes that do; nil means every unit.
    /// One index probe per unit (`EXISTS`) rather than the distinct codes of every entry of the
    /// subject: a 200,000-entry batch took 37 ms to list its 21 cities on PostgreSQL.
    private func participants(_ task: ReportingTask, subjects: [Int], units: [Region]) async throws -> [Int: Set<String>] {
        guard case .listedIn(let table, let subjectColumn) = task.participation, let level = units.first?.level, !subjects.isEmpty else { return [:] }
        let column = level == .city ? "city_code" : "county_code"
        struct Row: Decodable { let code: String }
        var result: [Int: Set<String>] = [:]
        let sql = database as! any SQLDatabase
        for subject in subjects {
            result[subject] = []
            for codes in sql.predicates("code", in: units.map(\.code)) {
                for row in try await sql.preparedAll("""
                    SELECT r.code FROM regions r WHERE \(codes)
                    AND EXISTS (SELECT 1 FROM \(ident: table) x WHERE x.\(ident: subjectColumn) = \(bind: subject) AND x.\(ident: column) = r.code)
                    """, decoding: Row.self) {
                    result[subject, default: []].insert(row.code)
                }
            }
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
