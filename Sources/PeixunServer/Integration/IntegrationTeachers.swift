import Fluent
import Foundation
import PeixunCore
import SQLKit

/// The registry side of an approval: every verified entry's teacher, registered if needed in
/// the entry's county and school (a school the county named but the registry lacks is added,
/// 中小学 unless its name says otherwise).
enum IntegrationTeachers {
    /// What an approval reads of a verified entry (a city has up to 130,000).
    struct Entry: Sendable {
        let id: Int
        let residentID: String
        let countyCode: String?
    }

    /// An entry's teacher as the approval needs it.
    struct Registered: Sendable {
        let id: Int
        let countyCode: String
        let firstPassedYear: Int?
        /// The teacher's record of the approved project, if there is one already.
        let recordID: Int?
    }

    /// The city's verified entries, in list order.
    static func verifiedEntries(batchID: Int, city: String, on db: any Database) async throws -> [Entry] {
        let rows = try await DriverRows.all(
            postgres: "SELECT id, resident_id, county_code FROM integration_entries WHERE batch_id = $1 AND city_code = $2 AND status = $3 ORDER BY id",
            sqlite: "SELECT id, resident_id, county_code FROM integration_entries WHERE batch_id = ? AND city_code = ? AND status = ? ORDER BY id",
            binds: [.integer(batchID), .text(city), .text(EntryStatus.verified.rawValue)], on: db)
        return rows.compactMap { row in
            guard let id = row[0].integer, let resident = row[1].text else { return nil }
            return Entry(id: id, residentID: resident, countyCode: row[2].text)
        }
    }

    /// Resident ID → teacher for each entry, with what the ledger needs, in one look-up per
    /// 1,000 IDs on SQLite and one in all on PostgreSQL; a teacher not yet registered is added.
    static func ensureRegistered(_ entries: [Entry], project: Int, on db: any Database, regions: RegionDirectory) async throws -> [String: Registered] {
        let sql = db as! any SQLDatabase
        let columns = """
            SELECT teachers.id, resident_id, county_code, first_passed_year, training_records.id
            FROM teachers LEFT JOIN training_records ON training_records.teacher_id = teachers.id AND training_records.project_id =
            """
        var ids: [String: Registered] = [:]
        let residents = entries.map(\.residentID)
        let chunks = sql.dialect.name == "postgresql" ? [residents] : residents.chunked(into: 1_000)
        for chunk in chunks where !chunk.isEmpty {
            for row in try await DriverRows.all(postgres: "\(columns) $1 WHERE resident_id = ANY($2)",
                                                sqlite: "\(columns) ? WHERE resident_id IN (\(DriverRows.inList(chunk.count)))",
                                                binds: [.integer(project), .texts(chunk)], on: db) {
                guard let id = row[0].integer, let resident = row[1].text, let county = row[2].text else { continue }
                ids[resident] = Registered(id: id, countyCode: county, firstPassedYear: row[3].integer, recordID: row[4].integer)
            }
        }
        let unregistered = entries.filter { ids[$0.residentID] == nil }.map(\.id)
        guard !unregistered.isEmpty else { return ids }
        // The details only for the entries whose teacher is new (rarely many).
        struct Details: Decodable { let resident_id: String; let name: String; let phone: String?; let school: String?; let county_code: String? }
        var details: [Details] = []
        for chunk in sql.predicates("id", in: unregistered) {
            details += try await sql.raw("SELECT resident_id, name, phone, school, county_code FROM integration_entries WHERE \(chunk) ORDER BY id")
                .all(decoding: Details.self)
        }
        var touched = Set<String>()
        for entry in details where ids[entry.resident_id] == nil {
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
            ids[entry.resident_id] = Registered(id: try teacher.requireID(), countyCode: county, firstPassedYear: nil, recordID: nil)
            touched.insert(county)
        }
        try await ProgressRollup.rebuild(counties: Array(touched), on: sql)
        return ids
    }
}
