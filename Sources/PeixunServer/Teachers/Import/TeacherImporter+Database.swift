import Fluent
import Foundation
import PeixunCore
import SQLKit

extension TeacherImporter {
    struct ExistingTeacher: Decodable, Sendable {
        let id: Int
        let resident_id: String
        let name: String
        let mobile: String?
        let school_id: Int
        let stage: String
        let county_code: String
    }

    struct ResolvedRow: Sendable {
        let checked: CheckedTeacherRow
        let schoolKey: String
        let stage: Stage
        let existing: ExistingTeacher?
        let changes: [String: AuditLog.Change]
    }

    struct NewSchool: Sendable {
        let county: Region
        let name: String
        let stage: Stage
    }

    struct Resolved: Sendable {
        var rows: [ResolvedRow] = []
        var schoolIDs: [String: Int] = [:]
        var newSchools: [String: NewSchool] = [:]
        var refusedRows: [Int] = []
    }

    static func schoolKey(_ county: String, _ name: String) -> String { county + "|" + name }

    static let indexRebuildThreshold = 100_000

    /// The checks that need the registry: known schools, and IDs already registered.
    func resolveAgainstDatabase(_ rows: [CheckedTeacherRow], createSchools: Bool, report: inout ImportReport) async throws -> Resolved {
        let sql = database as! any SQLDatabase
        var resolved = Resolved()
        struct School: Decodable { let id: Int; let name: String; let county_code: String; let stage: String }
        var schoolStages: [String: Stage] = [:]
        let counties = Array(Set(rows.map(\.county.code)))
        for chunk in counties.chunked(into: 200) {
            for school in try await sql.select().columns("id", "name", "county_code", "stage").from(SchoolModel.schema)
                .where("county_code", .in, chunk).all(decoding: School.self) {
                let key = Self.schoolKey(school.county_code, school.name)
                resolved.schoolIDs[key] = school.id
                schoolStages[key] = Stage(rawValue: school.stage)
            }
        }
        var existing: [String: ExistingTeacher] = [:]
        for chunk in rows.map(\.residentID.value).chunked(into: 1000) {
            for teacher in try await sql.select().columns("id", "resident_id", "name", "mobile", "school_id", "stage", "county_code")
                .from(TeacherModel.schema).where("resident_id", .in, chunk).all(decoding: ExistingTeacher.self) {
                existing[teacher.resident_id] = teacher
            }
        }

        for row in rows {
            func refuse(_ column: TeacherColumn, _ code: String, _ message: String) {
                report.errors.append(RowIssue(row: row.row, column: column.label, code: code, message: message))
                resolved.refusedRows.append(row.row)
            }
            let record = existing[row.residentID.value]
            if let record, record.county_code != row.county.code {
                let county = regions.region(code: record.county_code).map { (regions.parent(of: $0)?.name ?? "") + $0.name } ?? record.county_code
                refuse(.residentID, "id.registered_elsewhere", "该教师已登记在\(county)；如已调入本县，请先办理调动（由调出县确认）后再导入")
                continue
            }
            if let record, record.name != row.name {
                refuse(.name, "name.mismatch", "该身份证号码登记的姓名为“\(record.name)”，与本行“\(row.name)”不一致，请核对")
                continue
            }
            let key = Self.schoolKey(row.county.code, row.schoolName)
            var stage = row.stage
            if let known = schoolStages[key] {
                stage = stage ?? known
            } else if createSchools {
                guard let chosen = stage ?? resolved.newSchools[key]?.stage else {
                    refuse(.stage, "stage.invalid", "学校“\(row.schoolName)”是新学校，请填写学段（幼儿园、中小学或中职）以便新建")
                    continue
                }
                stage = chosen
                if resolved.newSchools[key] == nil { resolved.newSchools[key] = NewSchool(county: row.county, name: row.schoolName, stage: chosen) }
            } else {
                refuse(.school, "school.unknown", "学校“\(row.schoolName)”不在\(row.county.name)的学校名录中；如确为新学校，请选择“自动新建学校”（命令行 --create-schools）")
                continue
            }
            var changes: [String: AuditLog.Change] = [:]
            if let record {
                if record.mobile != row.phone, row.phone != nil { changes["mobile"] = .init(before: record.mobile, after: row.phone) }
                if record.stage != stage!.rawValue { changes["stage"] = .init(before: record.stage, after: stage!.rawValue) }
                if let schoolID = resolved.schoolIDs[key], schoolID != record.school_id {
                    changes["school"] = .init(before: String(record.school_id), after: String(schoolID))
                } else if resolved.schoolIDs[key] == nil {
                    changes["school"] = .init(before: String(record.school_id), after: row.schoolName)
                }
            }
            resolved.rows.append(ResolvedRow(checked: row, schoolKey: key, stage: stage!, existing: record, changes: changes))
        }
        report.newSchools = resolved.newSchools.values.map { $0.county.name + " " + $0.name }.sorted()
        return resolved
    }

    /// Writes the import in one transaction: new schools, new teachers, changed teachers,
    /// the progress rollups of the counties touched, and one audit entry.
    func commit(_ resolved: Resolved, report: inout ImportReport) async throws {
        let summary = report
        let touched = Array(Set(resolved.rows.map(\.checked.county.code)))
        try await database.transaction { db in
            let sql = db as! any SQLDatabase
            var schoolIDs = resolved.schoolIDs
            if !resolved.newSchools.isEmpty {
                var schools = BulkInsert(into: SchoolModel.schema, columns: ["name", "kind", "stage", "county_code", "city_code"], on: sql)
                for school in resolved.newSchools.values {
                    let kind: SchoolKind = school.stage == .kindergarten ? .kindergarten : school.stage == .vocational ? .vocational : .primary
                    try await schools.append([school.name, kind.rawValue, school.stage.rawValue, school.county.code, school.county.parentCode!])
                }
                try await schools.flush()
                struct Created: Decodable { let id: Int; let name: String; let county_code: String }
                let counties = Array(Set(resolved.newSchools.values.map(\.county.code)))
                for chunk in counties.chunked(into: 200) {
                    for school in try await sql.select().columns("id", "name", "county_code").from(SchoolModel.schema)
                        .where("county_code", .in, chunk).all(decoding: Created.self) {
                        schoolIDs[Self.schoolKey(school.county_code, school.name)] = school.id
                    }
                }
            }
            let now = Date()
            // A province-sized roster loads far faster with the secondary indexes rebuilt once
            // afterwards, as the demo load does (PostgreSQL then locks the table until commit).
            let newTeachers = resolved.rows.lazy.filter { $0.existing == nil }.count
            let rebuildIndexes = newTeachers > Self.indexRebuildThreshold
            if rebuildIndexes { try await SecondaryIndexes.drop(on: sql) }
            var insert = BulkInsert(into: TeacherModel.schema, columns: ["resident_id", "name", "mobile", "school_id", "stage", "county_code", "city_code", "created_at", "updated_at"], on: sql)
            for row in resolved.rows where row.existing == nil {
                try await insert.append([row.checked.residentID.value, row.checked.name, row.checked.phone, schoolIDs[row.schoolKey]!,
                                         row.stage.rawValue, row.checked.county.code, row.checked.county.parentCode!, now, now])
            }
            try await insert.flush()
            if rebuildIndexes { try await SecondaryIndexes.create(on: sql) }
            for row in resolved.rows where row.existing != nil && !row.changes.isEmpty {
                try await sql.update(TeacherModel.schema)
                    .set("mobile", to: row.checked.phone ?? row.existing!.mobile)
                    .set("school_id", to: schoolIDs[row.schoolKey]!)
                    .set("stage", to: row.stage.rawValue)
                    .set("updated_at", to: now)
                    .where("id", .equal, row.existing!.id)
                    .run()
            }
            try await ProgressRollup.rebuild(counties: touched, on: sql)
            // Filed where every touched county lies, so that the city or county that imported sees it.
            let cities = Set(touched.compactMap { regions.region(code: $0)?.parentCode })
            let region: (county: String?, city: String?) = touched.count == 1
                ? AuditLog.regionColumns(touched[0], directory: regions) : (nil, cities.count == 1 ? cities.first : nil)
            try await AuditLog.record(
                on: db, actor: actor, action: .import, objectType: "teacher_roster", objectID: summary.sha256,
                countyCode: region.county, cityCode: region.city,
                changes: [
                    "file": .init(before: nil, after: summary.fileName), "sha256": .init(before: nil, after: summary.sha256),
                    "rows": .init(before: nil, after: String(summary.rows)), "created": .init(before: nil, after: String(summary.created)),
                    "updated": .init(before: nil, after: String(summary.updated)), "unchanged": .init(before: nil, after: String(summary.unchanged)),
                    "refused": .init(before: nil, after: String(Set(summary.errors.map(\.row)).count)),
                ],
                summary: "导入教师名册“\(summary.fileName)”：新增 \(summary.created) 人，更新 \(summary.updated) 人，未变 \(summary.unchanged) 人")
        }
        report.committed = true
    }
}

extension Array {
    func chunked(into size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
