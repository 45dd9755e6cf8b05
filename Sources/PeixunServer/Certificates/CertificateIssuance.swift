import Fluent
import Foundation
import PeixunCore
import SQLKit
import Vapor

/// Issues certificates to every eligible teacher of a region who has none yet, county by county.
///
/// Each county is one transaction that first locks the county's serial row for the year: two
/// issuers of the same county queue there, and the second finds the first one's certificates
/// and issues none. The unique index on (teacher, valid) refuses a duplicate even if the lock
/// were bypassed. Issuing is repeatable: run it again after new passed records arrive and it
/// issues exactly the new ones.
struct CertificateIssuance {
    struct Outcome: Content, Equatable {
        var issued = 0
        var alreadyIssued = 0
        var notEligible = 0

        static func + (lhs: Outcome, rhs: Outcome) -> Outcome {
            Outcome(issued: lhs.issued + rhs.issued, alreadyIssued: lhs.alreadyIssued + rhs.alreadyIssued, notEligible: lhs.notEligible + rhs.notEligible)
        }
    }

    let database: any Database
    let regions: RegionDirectory
    let settings: CertificateSettings
    /// The verification address of a token (the public URL from the configuration).
    let verificationURL: @Sendable (VerificationToken) -> String
    let actor: AuditLog.Actor

    init(application: Application, database: (any Database)? = nil, actor: AuditLog.Actor) {
        let config = application.config
        self.database = database ?? application.db
        regions = application.regions
        settings = config.certificates
        let host = config.hostname, port = config.port, settings = config.certificates
        verificationURL = { settings.verificationURL(token: $0, fallbackHost: host, port: port) }
        self.actor = actor
    }

    /// Who may issue for a region: the province anywhere in its scope; a city or county in its own subtree
    /// when the configuration allows it.
    static func mayIssue(role: Role, scope: RegionScope, regionCode: String, settings: CertificateSettings, regions: RegionDirectory) -> Bool {
        switch role {
        case .province: return scope.contains(regionCode: regionCode, in: regions)
        case .city, .county: return settings.localIssuing && scope.contains(regionCode: regionCode, in: regions)
        case .institution, .reviewer, .teacher: return false
        }
    }

    /// `progress(countiesDone, countiesTotal)` after each county.
    func issue(regionCode: String, progress: @Sendable (Int, Int) async throws -> Void = { _, _ in }) async throws -> Outcome {
        let counties = regions.counties(in: regionCode)
        guard !counties.isEmpty else { throw AppError.notFound("行政区划") }
        var total = Outcome()
        for (index, county) in counties.enumerated() {
            total = total + (try await issue(county: county))
            try await progress(index + 1, counties.count)
        }
        return total
    }

    private struct PassedRow: Decodable {
        let teacher_id: Int
        let name: String
        let resident_id: String
        let school: String
        let project: String
        let level: String
        let year: Int
    }

    private func issue(county: Region) async throws -> Outcome {
        let today = actor.clock.today()
        let now = actor.clock.now()
        // The county's own province: above several provinces the top of the tree is 全国.
        let province = county.parentCode.flatMap(regions.region(code:))?.parentCode.flatMap(regions.region(code:))
        let regionName = (province?.name ?? "") + regions.qualifiedName(of: county)
        return try await database.transaction { db in
            let sql = db as! any SQLDatabase
            // The lock comes first, before anything is read (see `CertificateSerials`).
            var serials = try await CertificateSerials.lock(year: today.year, county: county, on: sql)

            struct Counts: Decodable { let teachers: Int; let certified: Int }
            let counts = try await sql.raw("""
                SELECT COUNT(*) AS teachers,
                       COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM certificates c WHERE c.teacher_id = t.id) THEN 1 ELSE 0 END), 0) AS certified
                FROM teachers t WHERE t.county_code = \(bind: county.code)
                """).first(decoding: Counts.self) ?? Counts(teachers: 0, certified: 0)

            let rows = try await sql.raw("""
                SELECT t.id AS teacher_id, t.name, t.resident_id, s.name AS school, p.name AS project, p.level, r.year
                FROM teachers t JOIN schools s ON s.id = t.school_id
                JOIN training_records r ON r.teacher_id = t.id JOIN projects p ON p.id = r.project_id
                WHERE t.county_code = \(bind: county.code) AND r.result = \(bind: TrainingResult.passed.rawValue)
                AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.teacher_id = t.id)
                ORDER BY t.id, r.year, p.name
                """).all(decoding: PassedRow.self)

            var insert = PlainBulkInsert(into: CertificateModel.schema, columns: [
                "number", "token", "teacher_id", "county_code", "city_code", "status", "snapshot", "issued_on", "issued_at", "issued_by",
            ], on: db)
            var start = rows.startIndex
            while start < rows.endIndex {
                var end = start
                while end < rows.endIndex, rows[end].teacher_id == rows[start].teacher_id { end += 1 }
                let teacherRows = rows[start..<end]
                start = end
                let records = try teacherRows.map {
                    CompletionRule.Record(year: $0.year, project: $0.project,
                                          level: try .read($0.level, table: ProjectModel.schema, row: nil, column: "level"), result: .passed)
                }
                guard let qualifying = settings.rule.qualifying(records) else { continue }
                let number = try serials.next()
                let teacher = teacherRows.first!
                let token = VerificationToken.random()
                let snapshot = CertificateSnapshot(
                    number: number,
                    teacherName: teacher.name,
                    maskedResidentID: ResidentID(canonical: teacher.resident_id)?.masked ?? "",
                    region: regionName, school: teacher.school,
                    completed: qualifying.map { .init(year: $0.year, project: $0.project, level: $0.level.label) },
                    issuer: settings.issuer, issuedOn: today, verificationURL: verificationURL(token))
                try await insert.append([
                    .text(snapshot.number.value), .text(token.value), .integer(teacher.teacher_id), .text(county.code),
                    .text(county.parentCode!), .text(CertificateStatus.valid.rawValue), .text(try CertificateModel.encode(snapshot)),
                    .text(today.description), .date(now), .text(actor.username),
                ])
            }
            try await insert.flush()
            let issued = serials.used
            guard issued > 0 else {
                return Outcome(issued: 0, alreadyIssued: counts.certified, notEligible: counts.teachers - counts.certified)
            }
            try await serials.store()
            try await AuditLog.record(on: db, actor: actor, action: .issueCertificates, objectType: "certificate", objectID: county.code,
                                      countyCode: county.code, cityCode: county.parentCode,
                                      summary: "签发\(regionName)结业证书 \(issued) 张（编号 \(serials.first + 1)–\(serials.last) 号）")
            return Outcome(issued: issued, alreadyIssued: counts.certified, notEligible: counts.teachers - counts.certified - issued)
        }
    }
}
