import Fluent
import Foundation
import PeixunCore
import SQLKit

/// The registry side of an approval: every verified entry's teacher, registered if needed in
/// the entry's county and school (a school the county named but the registry lacks is added,
/// 中小学 unless its name says otherwise).
enum IntegrationTeachers {
    /// What an approval reads of a verified entry (as plain rows: a city has up to 130,000).
    struct Entry: Decodable, Sendable {
        let id: Int
        let resident_id: String
        let name: String
        let phone: String?
        let school: String?
        let county_code: String?
    }

    /// An entry's teacher as the approval needs it.
    struct Registered: Decodable, Sendable {
        let id: Int
        let resident_id: String
        let county_code: String
        let first_passed_year: Int?
        /// The teacher's record of the approved project, if there is one already.
        let record_id: Int?
    }

    /// Resident ID → teacher for each entry, with what the ledger needs, in one look-up.
    static func ensureRegistered(_ entries: [Entry], project: Int, on db: any Database, regions: RegionDirectory) async throws -> [String: Registered] {
        let sql = db as! any SQLDatabase
        var ids: [String: Registered] = [:]
        for residents in sql.predicates("resident_id", in: entries.map(\.resident_id)) {
            for row in try await sql.raw("""
                SELECT teachers.id, resident_id, county_code, first_passed_year, training_records.id AS record_id
                FROM teachers LEFT JOIN training_records
                  ON training_records.teacher_id = teachers.id AND training_records.project_id = \(bind: project)
                WHERE \(residents)
                """).all(decoding: Registered.self) {
                ids[row.resident_id] = row
            }
        }
        var touched = Set<String>()
        for entry in entries where ids[entry.resident_id] == nil {
            guard let county = entry.county_code, let region = regions.region(code: county) else { continue }
            let schoolName = entry.school.flatMap { $0.isEmpty ? nil : $0 } ?? "（学校待补充）"
            let school: SchoolModel
            if let known = try await SchoolModel.query(on: db).filter(\.$countyCode == county).filter(\.$name == schoolName).first() {
                school = known
            } else {
                school = SchoolModel()
                school.name = schoolName
                let kind: SchoolKind = schoolName.contains("幼儿园") ? .kindergarten : schoolName.contains("职业") || schoolName.contains("职中") ? .vocational : .primary
                school.kind = kind.rawValue
                school.stage = kind.stage.rawValue
                school.countyCode = county
                school.cityCode = region.parentCode!
                try await school.create(on: db)
            }
            let teacher = TeacherModel()
            teacher.residentID = entry.resident_id
            teacher.name = entry.name
            teacher.mobile = entry.phone
            teacher.$school.id = school.id!
            teacher.stage = school.stage
            teacher.countyCode = county
            teacher.cityCode = region.parentCode!
            try await teacher.create(on: db)
            ids[entry.resident_id] = Registered(id: try teacher.requireID(), resident_id: entry.resident_id, county_code: county,
                                                first_passed_year: nil, record_id: nil)
            touched.insert(county)
        }
        try await ProgressRollup.rebuild(counties: Array(touched), on: sql)
        return ids
    }
}
