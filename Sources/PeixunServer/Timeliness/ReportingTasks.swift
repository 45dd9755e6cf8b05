import Fluent
import Foundation
import PeixunCore
import SQLKit

/// A report the notice asks for by a date each year. The list is data: a task names the
/// workflow whose rows in `submissions` count as its reports, so a workflow added to the
/// approval engine (the training plan's `plan`) is counted as soon as it stores submissions.
struct ReportingTask: Sendable, Hashable {
    /// How a year's subjects are found in `submissions.subject_id`.
    enum Subjects: Sendable, Hashable {
        /// The subject is the year itself (plans, contacts).
        case year
        /// The subjects are rows of a table with a `year` column (integration batches).
        case rows(table: String)
    }

    /// Which units of a level report in a subject.
    enum Participation: Sendable, Hashable {
        /// Every city, every county.
        case everyUnit
        /// Units named in a table's `county_code` / `city_code` for the subject
        /// (the counties with entries in an integration batch).
        case listedIn(table: String, subjectColumn: String)
    }

    /// `plan`, `contacts`, `integration`, `completion`: the API's `task`.
    let key: String
    let name: String
    /// The `submissions.workflow` its reports are stored under.
    let workflow: String
    let month: Int
    let day: Int
    let subjects: Subjects
    let participation: Participation

    func defaultDeadline(year: Int) -> CivilDate { CivilDate(year: year, month: month, day: day)! }

    /// Whether the workflow runs on the approval engine in this build.
    var onEngine: Bool { ApprovalWorkflowKind(rawValue: workflow) != nil }

    static let all: [ReportingTask] = [
        ReportingTask(key: "plan", name: "培训计划及执行情况（附件3）", workflow: "plan", month: 3, day: 31, subjects: .year, participation: .everyUnit),
        ReportingTask(key: "contacts", name: "项目联系人信息表（附件4）", workflow: "contacts", month: 3, day: 31, subjects: .year, participation: .everyUnit),
        ReportingTask(key: "integration", name: "合作项目整合名单（附件2）", workflow: "integration", month: 9, day: 30,
                      subjects: .rows(table: "integration_batches"),
                      participation: .listedIn(table: "integration_entries", subjectColumn: "batch_id")),
        ReportingTask(key: "completion", name: "培训实施情况统计表（附件1）", workflow: "completion", month: 12, day: 31, subjects: .year, participation: .everyUnit),
    ]

    static func named(_ key: String?) -> ReportingTask? { all.first { $0.key == key } }

    static let years = 2014...2030
    /// The notice's year: plans and contacts for 2017 are due on 31 March 2017.
    static let defaultYear = 2017
}

/// The deadlines the province set, and the defaults.
struct TaskDeadlines {
    let database: any Database

    func deadline(_ task: ReportingTask, year: Int) async throws -> CivilDate {
        let stored = try await TaskDeadlineModel.query(on: database).filter(\.$task == task.key).filter(\.$year == year).first()
        return stored.flatMap { CivilDate(iso: $0.deadline) } ?? task.defaultDeadline(year: year)
    }

    /// Every task's deadline in `year` (`deadline(_:year:)` for each, in one query): pages that
    /// list several tasks ask once.
    func deadlines(year: Int) async throws -> [String: CivilDate] {
        struct Row: Decodable { let task: String; let deadline: String }
        let stored = try await (database as! any SQLDatabase).preparedAll("SELECT task, deadline FROM task_deadlines WHERE year = \(bind: year)",
                                                                          decoding: Row.self)
        var result: [String: CivilDate] = [:]
        for task in ReportingTask.all {
            result[task.key] = stored.first { $0.task == task.key }.flatMap { CivilDate(iso: $0.deadline) } ?? task.defaultDeadline(year: year)
        }
        return result
    }

    /// The subjects of `task` in `year`.
    func subjects(_ task: ReportingTask, year: Int) async throws -> [Int] {
        switch task.subjects {
        case .year: return [year]
        case .rows(let table):
            struct Row: Decodable { let id: Int }
            return try await (database as! any SQLDatabase).preparedAll("SELECT id FROM \(ident: table) WHERE year = \(bind: year) ORDER BY id",
                                                                        decoding: Row.self).map(\.id)
        }
    }

    /// Sets a deadline; where the subject is the year, submissions made are judged again.
    /// Returns how many late flags changed.
    func set(_ task: ReportingTask, year: Int, to day: CivilDate, by user: String, at now: Date) async throws -> Int {
        let row = try await TaskDeadlineModel.query(on: database).filter(\.$task == task.key).filter(\.$year == year).first() ?? TaskDeadlineModel()
        row.task = task.key
        row.year = year
        row.deadline = day.description
        row.updatedBy = user
        row.updatedAt = now
        try await row.save(on: database)
        guard task.subjects == .year else { return 0 }
        var changed = 0
        for submission in try await SubmissionModel.query(on: database).filter(\.$workflow == task.workflow)
            .filter(\.$subjectID == year).filter(\.$submittedAt != nil).all() {
            let late = ApprovalDeadline.isLate(submittedOn: .today(now: submission.submittedAt!), deadline: day)
            guard late != submission.late else { continue }
            submission.late = late
            try await submission.update(on: database)
            changed += 1
        }
        return changed
    }
}

/// A year in a form (text) or a JSON body (a number or text).
struct LenientYear: Codable, Sendable {
    let value: Int?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            value = number
        } else {
            let text = try container.decode(String.self).trimmingCharacters(in: .whitespaces)
            guard let number = Int(text) else {
                throw AppError(.unprocessableEntity, code: "year.invalid", "年度无效：\(text)")
            }
            value = number
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
