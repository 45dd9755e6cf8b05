import Fluent
import SQLKit

/// Indexes for the queries the reports and lists run; plain `CREATE INDEX` works on both
/// SQLite and PostgreSQL.
struct CreateIndexes: AsyncMigration {
    static let indexes: [(name: String, table: String, columns: [String])] = [
        ("schools_county", SchoolModel.schema, ["county_code"]),
        ("schools_city", SchoolModel.schema, ["city_code"]),
        // Not (school_id, first_passed_year): an approval's year changes stay out of the indexes
        // (`IndexTeachersBySchoolAlone`).
        ("teachers_school", TeacherModel.schema, ["school_id"]),
        // The registry's order (county, then id) within a county or a city: a page is read off
        // the index (`WidenTeacherRegionIndexes`).
        ("teachers_county", TeacherModel.schema, ["county_code", "id"]),
        ("teachers_city", TeacherModel.schema, ["city_code", "county_code", "id"]),
        ("teachers_name", TeacherModel.schema, ["name"]),
        ("records_project", TrainingRecordModel.schema, ["project_id"]),
        ("official_counts_year_city", OfficialCountModel.schema, ["school_year", "city_code"]),
        ("rollups_county", CreateProgressRollups.schema, ["county_code", "first_passed_year", "school_id", "stage", "teachers"]),
        ("regions_parent", RegionModel.schema, ["parent_code"]),
    ]

    func prepare(on database: any Database) async throws {
        try await SecondaryIndexes.create(on: database as! any SQLDatabase)
    }

    func revert(on database: any Database) async throws {
        try await SecondaryIndexes.drop(on: database as! any SQLDatabase)
    }
}

/// The non-unique indexes of `CreateIndexes`; bulk loads drop and rebuild them.
enum SecondaryIndexes {
    static func create(on sql: any SQLDatabase) async throws {
        for index in CreateIndexes.indexes {
            var builder = sql.create(index: index.name).on(index.table)
            for column in index.columns { builder = builder.column(column) }
            try await builder.run()
        }
    }

    static func drop(on sql: any SQLDatabase) async throws {
        for index in CreateIndexes.indexes {
            try await sql.drop(index: index.name).run()
        }
    }
}
