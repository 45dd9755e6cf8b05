import Fluent
import Foundation
import PeixunCore
import SQLKit

/// Writes a generated demo province into an empty database, in one transaction.
struct DemoLoader {
    struct Summary: Sendable {
        var schools = 0
        var teachers = 0
        var records = 0
        var projects = 0
        var officialCounts = 0
        var seconds = 0.0

        var rows: Int { schools + teachers + records + projects + officialCounts }
    }

    struct DatabaseNotEmpty: Error, CustomStringConvertible {
        let description = "数据库中已有学校、教师或培训记录，演示数据只能载入空数据库（可删除数据目录后重试）"
    }

    let database: any Database
    let nation: DemoNationGenerator

    init(database: any Database, generator: DemoProvinceGenerator) {
        self.init(database: database, nation: DemoNationGenerator(generator))
    }

    /// N × Sichuan: 全国 and the synthetic provinces are added to `regions` first (N > 1).
    init(database: any Database, nation: DemoNationGenerator) {
        self.database = database
        self.nation = nation
    }

    func isEmpty() async throws -> Bool {
        let schools = try await SchoolModel.query(on: database).count()
        let teachers = try await TeacherModel.query(on: database).count()
        let records = try await TrainingRecordModel.query(on: database).count()
        return schools + teachers + records == 0
    }

    func load(progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Summary {
        guard try await isEmpty() else { throw DatabaseNotEmpty() }
        let started = ContinuousClock.now
        var summary = try await database.transaction { transaction -> Summary in
            var summary = Summary()
            let sql = transaction as! any SQLDatabase
            try await NationalRegions.insert(nation, on: sql)
            // The projects of each province, by the two-digit prefix of its counties' codes.
            var projectIDs: [Substring: [Int: Int]] = [:]
            for province in nation.provinces {
                projectIDs[province.directory.province.code.prefix(2)] = try await insertProjects(province.projects, on: transaction, sql: sql, summary: &summary)
            }
            // On PostgreSQL the foreign keys of these tables are set aside during the load, so the three
            // copies need not reach it in order: each is pipelined (the next megabyte generated
            // while PostgreSQL takes the last) and none waits for the others county by county.
            // SQLite checks its foreign keys statement by statement: schools go first there.
            let anyOrder = sql.dialect.name == "postgresql"
            var schools = PlainBulkInsert(into: SchoolModel.schema, columns: ["id", "name", "kind", "stage", "county_code", "city_code"], on: transaction, pipelined: anyOrder)
            var teachers = PlainBulkInsert(into: TeacherModel.schema, columns: ["id", "resident_id", "name", "mobile", "school_id", "stage", "county_code", "city_code", "first_passed_year", "created_at", "updated_at"], on: transaction, pipelined: anyOrder)
            var records = PlainBulkInsert(into: TrainingRecordModel.schema, columns: ["id", "teacher_id", "project_id", "year", "result", "created_at"], on: transaction, pipelined: anyOrder)
            var counts = PlainBulkInsert(into: OfficialCountModel.schema, columns: ["county_code", "city_code", "stage", "school_year", "teachers"], on: transaction)
            let now = LiveClock().now()
            var countiesDone = 0
            // Secondary indexes (and PostgreSQL's foreign keys) are built once after the load, far faster than row by row.
            let setAside = try await BulkLoadConstraints.setAside(on: sql, uniqueKeys: true)
            let clock = ContinuousClock()
            var mark = clock.now
            func lap(_ what: String) {
                transaction.logger.debug("demo load: \(what) \(clock.now - mark)")
                mark = clock.now
            }
            do {
                for try await county in CountyPrefetcher(nation.counties().makeIterator()) {
                    let cityCode = county.county.parentCode!
                    let projectIDs = projectIDs[county.county.code.prefix(2)]!
                    for school in county.schools {
                        try await schools.append([.integer(school.id), .text(school.name), .text(school.kind.rawValue), .text(school.kind.stage.rawValue), .text(school.countyCode), .text(cityCode)])
                    }
                    if !anyOrder { try await schools.flush() }
                    var firstPassed: [Int: Int] = [:]
                    for record in county.records where record.result == .passed {
                        firstPassed[record.teacherID] = min(firstPassed[record.teacherID] ?? .max, record.year)
                    }
                    for teacher in county.teachers {
                        try await teachers.append([
                            .integer(teacher.id), .text(teacher.residentID.value), .text(teacher.name), .text(teacher.mobile), .integer(teacher.schoolID),
                            .text(teacher.stage.rawValue), .text(teacher.countyCode), .text(cityCode), .optional(firstPassed[teacher.id]), .date(now), .date(now),
                        ])
                    }
                    if !anyOrder { try await teachers.flush() }
                    for record in county.records {
                        try await records.append([.integer(record.id), .integer(record.teacherID), .integer(projectIDs[record.projectID]!), .integer(record.year), .text(record.result.rawValue), .date(now)])
                    }
                    for stage in Stage.allCases {
                        try await counts.append([.text(county.county.code), .text(cityCode), .text(stage.rawValue), .integer(Appendix1.schoolYear), .integer(county.officialCounts[stage])])
                    }
                    countiesDone += 1
                    if countiesDone % 20 == 0 { progress("已写入 \(countiesDone)/\(nation.countyCount) 个县(市、区)") }
                }
                try await schools.flush()
                try await teachers.flush()
                try await records.flush()
                try await counts.flush()
            } catch {
                // A copy still on its way must not outlive the transaction: its connection goes
                // back to the pool when the transaction ends.
                await schools.settle()
                await teachers.settle()
                await records.settle()
                await counts.settle()
                throw error
            }
            summary.schools = schools.inserted
            summary.teachers = teachers.inserted
            summary.records = records.inserted
            summary.officialCounts = counts.inserted
            lap("rows")
            try await setAside.restore(on: sql)
            lap("indexes and keys")
            try await ProgressRollup.rebuild(on: sql)
            lap("rollups")
            try await SequenceRepair.afterExplicitIDs(tables: [SchoolModel.schema, TeacherModel.schema, TrainingRecordModel.schema, ProjectModel.schema], on: sql)
            lap("sequences")
            try await AuditLog.record(
                on: transaction, actor: .commandLine, action: .import, objectType: "demo_province", objectID: nil,
                summary: "载入演示数据：学校 \(summary.schools) 所，教师 \(summary.teachers) 人，培训记录 \(summary.records) 条")
            return summary
        }
        summary.seconds = (ContinuousClock.now - started).secondsValue
        return summary
    }

    /// Projects that already exist (the cooperation projects seeded by migration) are reused
    /// by name; returns the database id of every generated project.
    private func insertProjects(_ projects: [DemoProject], on database: any Database, sql: any SQLDatabase, summary: inout Summary) async throws -> [Int: Int] {
        let existing = try await ProjectModel.query(on: database).all()
        var idsByName = Dictionary(existing.map { ($0.name, $0.id!) }, uniquingKeysWith: { first, _ in first })
        var nextID = (existing.compactMap(\.id).max() ?? 0) + 1
        var insert = BulkInsert(into: ProjectModel.schema, columns: ["id", "name", "level", "year", "end_year", "organiser", "region_code"], on: sql)
        var mapping: [Int: Int] = [:]
        for project in projects {
            if let id = idsByName[project.name] {
                mapping[project.id] = id
                continue
            }
            try await insert.append([nextID, project.name, project.level.rawValue, project.year, project.endYear, project.organiser, project.regionCode])
            idsByName[project.name] = nextID
            mapping[project.id] = nextID
            nextID += 1
        }
        try await insert.flush()
        summary.projects += insert.inserted
        return mapping
    }
}


/// Generates the next county on another thread while the current one is being written.
struct CountyPrefetcher: AsyncSequence, AsyncIteratorProtocol {
    typealias Element = DemoCounty
    private var pending: Task<(DemoCounty?, DemoNationSequence.Iterator), Never>?

    init(_ iterator: DemoNationSequence.Iterator) {
        pending = Self.prefetch(iterator)
    }

    private static func prefetch(_ iterator: DemoNationSequence.Iterator) -> Task<(DemoCounty?, DemoNationSequence.Iterator), Never> {
        Task.detached {
            var iterator = iterator
            let county = iterator.next()
            return (county, iterator)
        }
    }

    mutating func next() async throws -> DemoCounty? {
        guard let pending else { return nil }
        let (county, iterator) = await pending.value
        self.pending = county == nil ? nil : Self.prefetch(iterator)
        return county
    }

    func makeAsyncIterator() -> CountyPrefetcher { self }
}
