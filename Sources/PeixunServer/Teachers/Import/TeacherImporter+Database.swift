import Fluent
import FluentSQLiteDriver
import Foundation
import PeixunCore
import SQLKit

extension TeacherImporter {
    static let indexRebuildThreshold = 100_000

    /// The checks that need the registry: known schools, and IDs already registered. Marks
    /// refused rows, fills in stages and school ids, and counts created/updated/unchanged.
    func resolveAgainstDatabase(_ batch: inout PendingBatch, createSchools: Bool, report: inout ImportReport) async throws {
        let sql = database as! any SQLDatabase
        struct School: Decodable { let id: Int; let name: String; let county_code: String; let stage: String }
        for chunk in batch.counties.map(\.code).chunked(into: 200) {
            for school in try await sql.select().columns("id", "name", "county_code", "stage").from(SchoolModel.schema)
                .where("county_code", .in, chunk).all(decoding: School.self) {
                guard let county = batch.countyIndex[school.county_code],
                      let index = batch.schoolIndex[PendingBatch.SchoolKey(county: county, name: school.name)] else { continue }
                batch.schools[Int(index)].id = school.id
                batch.schools[Int(index)].stage = Stage(rawValue: school.stage)
            }
        }

        // An empty registry (the first import of a province) needs no lookups at all.
        var existingByID: [Int64: Int32] = [:]
        if try await Self.hasTeachers(on: database) {
            let registered = try await registeredTeachers(withIDs: batch.rows.map(\.residentID))
            existingByID = registered.byID
            batch.existing = registered.teachers
            batch.countiesWithTeachers = try await countiesWithTeachers(batch.counties.map(\.code))
        }

        for index in batch.rows.indices {
            let row = batch.rows[index]
            func refuse(_ column: TeacherColumn, _ code: String, _ message: String) {
                report.errors.append(RowIssue(row: Int(row.row), column: column.label, code: code, message: message))
                batch.rows[index].refused = true
            }
            let county = batch.counties[Int(row.county)]
            let record = existingByID[row.residentID].map { batch.existing[Int($0)] }
            if let record, record.countyCode != county.code {
                let place = regions.region(code: record.countyCode).map { (regions.parent(of: $0)?.name ?? "") + $0.name } ?? record.countyCode
                refuse(.residentID, "id.registered_elsewhere", "该教师已登记在\(place)；如已调入本县，请联系调出县发起调动，经本县接收后即登记在本县")
                continue
            }
            if let record, record.name != row.name {
                refuse(.name, "name.mismatch", "该身份证号码登记的姓名为“\(record.name)”，与本行“\(row.name)”不一致，请核对")
                continue
            }
            let school = batch.schools[Int(row.school)]
            var stage = row.stage
            if school.id != nil {
                stage = stage ?? school.stage
            } else if createSchools {
                guard let chosen = stage ?? school.stage else {
                    refuse(.stage, "stage.invalid", "学校“\(school.key.name)”是新学校，请填写学段（幼儿园、中小学或中职）以便新建")
                    continue
                }
                stage = chosen
                if school.stage == nil { batch.schools[Int(row.school)].stage = chosen }
            } else {
                refuse(.school, "school.unknown", "学校“\(school.key.name)”不在\(county.name)的学校名录中；如确为新学校，请选择“自动新建学校”（命令行 --create-schools）")
                continue
            }
            batch.rows[index].stage = stage
            report.valid += 1
            guard let record, let position = existingByID[row.residentID] else {
                report.created += 1
                continue
            }
            batch.rows[index].existing = position
            let changed = (row.phone != nil && record.mobile != row.phone) || record.stage != stage || school.id != record.schoolID
            batch.rows[index].changed = changed
            if changed { report.updated += 1 } else { report.unchanged += 1 }
        }
        report.newSchools = batch.schools.filter { $0.id == nil && $0.stage != nil }
            .map { batch.counties[Int($0.key.county)].name + " " + $0.key.name }.sorted()
    }

    /// Writes the import in one transaction: new schools, new teachers, changed teachers,
    /// the progress rollups of the counties touched, and one audit entry.
    func commit(_ batch: PendingBatch, report: inout ImportReport, staging: RosterStaging? = nil) async throws {
        let summary = report
        var used = Set<Int16>()
        for row in batch.rows where !row.refused { used.insert(row.county) }
        let touched = used.map { batch.counties[Int($0)].code }
        let transactionStart = ContinuousClock.now
        try await database.transaction { db in
            let sql = db as! any SQLDatabase
            if staging != nil, try await Self.hasTeachers(on: db) {
                throw AppError(.conflict, code: "import.registry_changed", "导入期间已有其他导入写入了教师名册，本次导入未写入任何数据，请重新导入")
            }
            // A province-sized roster loads far faster with the secondary indexes (and on
            // PostgreSQL the foreign keys) put back once afterwards, as the demo load does
            // (set aside before the new schools too: their keys cost 0.3 s on PostgreSQL);
            // PostgreSQL then locks the table until commit. Not when the registry already holds
            // more teachers than the file adds (a new province in the national registry): the
            // rebuild would cost what the whole registry costs.
            let rebuildIndexes = summary.created > Self.indexRebuildThreshold
                ? try await !Self.hasTeachers(atLeast: summary.created, on: db) : false
            let setAside = rebuildIndexes ? try await BulkLoadConstraints.setAside(on: sql) : nil
            var schoolIDs = batch.schools.map(\.id)
            let newSchools = batch.schools.indices.filter { batch.schools[$0].id == nil && batch.schools[$0].stage != nil }
            if !newSchools.isEmpty {
                var insert = PlainBulkInsert(into: SchoolModel.schema, columns: ["name", "kind", "stage", "county_code", "city_code"], on: db)
                for index in newSchools {
                    let school = batch.schools[index]
                    let county = batch.counties[Int(school.key.county)]
                    let kind: SchoolKind = school.stage == .kindergarten ? .kindergarten : school.stage == .vocational ? .vocational : .primary
                    try await insert.append([.text(school.key.name), .text(kind.rawValue), .text(school.stage!.rawValue), .text(county.code), .text(county.parentCode!)])
                }
                try await insert.flush()
                struct Created: Decodable { let id: Int; let name: String; let county_code: String }
                let counties = Array(Set(newSchools.map { batch.counties[Int(batch.schools[$0].key.county)].code }))
                for chunk in counties.chunked(into: 200) {
                    for school in try await sql.select().columns("id", "name", "county_code").from(SchoolModel.schema)
                        .where("county_code", .in, chunk).all(decoding: Created.self) {
                        guard let county = batch.countyIndex[school.county_code],
                              let index = batch.schoolIndex[PendingBatch.SchoolKey(county: county, name: school.name)] else { continue }
                        schoolIDs[Int(index)] = school.id
                    }
                }
            }
            db.logger.debug("teacher import: new schools \(ContinuousClock.now - transactionStart)")
            let now = actor.clock.now()
            let insertStart = ContinuousClock.now
            if let staging {
                let inserted = try await staging.insertTeachers(batch, schoolIDs: schoolIDs, on: db, at: now)
                guard inserted == summary.created else {
                    throw AppError(.internalServerError, code: "import.staging", "导入中止：应新增 \(summary.created) 名教师，核对时只写入 \(inserted) 名，已全部撤销，未写入任何数据。请重新导入；如仍出现，请联系系统管理员")
                }
            } else {
                try await insertTeachers(batch, schoolIDs: schoolIDs, on: db, at: now)
            }
            let clock = ContinuousClock()
            db.logger.debug("teacher import: insert \(clock.now - insertStart)")
            var mark = clock.now
            func lap(_ what: String) {
                db.logger.debug("teacher import: \(what) \(clock.now - mark)")
                mark = clock.now
            }
            try await setAside?.restore(on: sql)
            lap("indexes")
            for row in batch.rows where !row.refused && row.changed {
                let record = batch.existing[Int(row.existing)]
                try await sql.update(TeacherModel.schema)
                    .set("mobile", to: row.phone ?? record.mobile)
                    .set("school_id", to: schoolIDs[Int(row.school)]!)
                    .set("stage", to: row.stage!.rawValue)
                    .set("updated_at", to: now)
                    .where("id", .equal, record.id)
                    .run()
            }
            // Counted by the batch's indexes first: hashing three strings per row cost 0.2 s for a province.
            struct SchoolStage: Hashable { let school: Int32; let stage: Stage }
            let countyHadTeachers = batch.counties.map { batch.countiesWithTeachers.contains($0.code) }
            var newBySchool: [SchoolStage: Int] = [:]
            for row in batch.rows where !row.refused && row.existing < 0 && !countyHadTeachers[Int(row.county)] {
                newBySchool[SchoolStage(school: row.school, stage: row.stage!), default: 0] += 1
            }
            var firstTeachers: [ProgressRollup.NewTeachers: Int] = [:]
            for (group, teachers) in newBySchool {
                let county = batch.counties[Int(batch.schools[Int(group.school)].key.county)]
                firstTeachers[ProgressRollup.NewTeachers(schoolID: schoolIDs[Int(group.school)]!, countyCode: county.code,
                                                         cityCode: county.parentCode!, stage: group.stage.rawValue), default: 0] += teachers
            }
            try await ProgressRollup.insertFirstTeachers(firstTeachers, on: db)
            // A roster that changed nothing (imported again) leaves the rollups as they are.
            if summary.created + summary.updated > 0 {
                try await ProgressRollup.rebuild(counties: touched.filter(batch.countiesWithTeachers.contains), on: sql)
            }
            lap("rollups")
            // Filed where every touched county lies, so that the city or county that imported sees it.
            let (region, spanned) = AuditLog.filing(counties: touched, directory: regions)
            try await AuditLog.record(
                on: db, actor: actor, action: .import, objectType: "teacher_roster", objectID: summary.sha256,
                countyCode: region.county, cityCode: region.city,
                changes: [
                    "file": .init(before: nil, after: summary.fileName), "sha256": .init(before: nil, after: summary.sha256),
                    "rows": .init(before: nil, after: String(summary.rows)), "created": .init(before: nil, after: String(summary.created)),
                    "updated": .init(before: nil, after: String(summary.updated)), "unchanged": .init(before: nil, after: String(summary.unchanged)),
                    "refused": .init(before: nil, after: String(Set(summary.errors.map(\.row)).count)),
                ].merging(spanned) { $1 },
                summary: "导入教师名册“\(summary.fileName)”：新增 \(summary.created) 人，更新 \(summary.updated) 人，未变 \(summary.unchanged) 人")
            lap("audit")
        }
        database.logger.debug("teacher import: transaction \(ContinuousClock.now - transactionStart)")
        report.committed = true
    }

    /// The new teachers of `batch`, bound row by row (registries that already hold teachers,
    /// and PostgreSQL).
    private func insertTeachers(_ batch: PendingBatch, schoolIDs: [Int?], on db: any Database, at now: Date) async throws {
        var insert = PlainBulkInsert(into: TeacherModel.schema, columns: ["resident_id", "name", "mobile", "school_id", "stage", "county_code", "city_code", "created_at", "updated_at"],
                                     on: db, pipelined: true)
        // In ID order the unique index on resident_id only ever appends, instead of splitting
        // pages all over a 20 MB B-tree (5.1 s → see bench/README.md).
        let newRows = batch.rows.indices.filter { !batch.rows[$0].refused && batch.rows[$0].existing < 0 }
            .sorted { batch.rows[$0].residentID < batch.rows[$1].residentID }
        for index in newRows {
            let row = batch.rows[index]
            let county = batch.counties[Int(row.county)]
            try await insert.append([.text(ResidentID(packed: row.residentID).value), .text(row.name), .optional(row.phone),
                                     .integer(schoolIDs[Int(row.school)]!), .text(row.stage!.rawValue), .text(county.code),
                                     .text(county.parentCode!), .date(now), .date(now)])
        }
        try await insert.flush()
    }
}

extension Sequence {
    func chunked(into size: Int) -> [[Element]] {
        var chunks: [[Element]] = []
        var current: [Element] = []
        current.reserveCapacity(size)
        for element in self {
            current.append(element)
            if current.count == size {
                chunks.append(current)
                current.removeAll(keepingCapacity: true)
            }
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }
}
