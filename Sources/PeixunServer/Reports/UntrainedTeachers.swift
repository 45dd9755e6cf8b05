import PeixunCore
import SQLKit

/// One page of a school's teachers who had not passed any training by the report year.
struct UntrainedTeachersPage: Sendable {
    struct Teacher: Sendable, Decodable {
        let id: Int
        let name: String
        let resident_id: String
        let stage: String
        let failed: Int
    }

    static let pageSize = 50

    let school: (id: Int, name: String, countyCode: String)
    let year: Int
    let page: Int
    let totalCount: Int
    let teachers: [Teacher]

    var pageCount: Int { Paging(page: page, size: Self.pageSize).pageCount(total: totalCount) }

    static func load(schoolID: Int, year: Int, page: Int, scope: RegionScope, on database: any SQLDatabase) async throws -> UntrainedTeachersPage {
        struct School: Decodable { let id: Int; let name: String; let county_code: String }
        struct Count: Decodable { let n: Int }
        guard let school = try await database.select().column("id").column("name").column("county_code")
            .from(SchoolModel.schema).where("id", .equal, schoolID).where(scope.predicate())
            .first(decoding: School.self)
        else { throw AppError.notFound("学校") }

        let untrained = SQLRaw("(first_passed_year IS NULL OR first_passed_year > \(year))")
        let count = try await database.select()
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(TeacherModel.schema).where("school_id", .equal, schoolID).where(untrained)
            .first(decoding: Count.self)?.n ?? 0
        let paging = Paging(page: page, size: pageSize)
        let page = paging.page
        let teachers = try await database.raw("""
            SELECT t.id, t.name, t.resident_id, t.stage,
                   (SELECT COUNT(*) FROM training_records r
                    WHERE r.teacher_id = t.id AND r.result = \(bind: TrainingResult.failed.rawValue) AND r.year <= \(bind: year)) AS failed
            FROM teachers t
            WHERE t.school_id = \(bind: schoolID) AND (t.first_passed_year IS NULL OR t.first_passed_year > \(bind: year))
            ORDER BY t.name, t.id
            LIMIT \(unsafeRaw: String(pageSize)) OFFSET \(unsafeRaw: String(paging.offset))
            """).all(decoding: Teacher.self)
        return UntrainedTeachersPage(
            school: (school.id, school.name, school.county_code), year: year, page: page,
            totalCount: count, teachers: teachers)
    }
}
