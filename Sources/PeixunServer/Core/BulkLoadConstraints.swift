import SQLKit

/// What a bulk load (the demo province, a province's first roster) sets aside while it writes
/// and puts back, checked, in the same transaction: the secondary indexes on both databases,
/// and on PostgreSQL the unique and foreign keys of the loaded tables too. PostgreSQL checks a
/// foreign key row by row with a locking look-up in the parent table; for 737,686 teachers the
/// three keys of `teachers` cost 31 s of a 38 s COPY, while adding them back afterwards checks
/// every row in one join in 1.5 s; a unique index built once after the rows costs 0.4 s
/// against 0.9 s kept up row by row (bench/README.md). Nothing unchecked is ever committed:
/// `restore` fails, and the transaction with it, if any row breaks a key. (No foreign key
/// points at these unique keys, so they can be dropped alone.)
struct BulkLoadConstraints: Sendable {
    /// The tables bulk loads write.
    static let tables = ["schools", "teachers", "training_records"]

    private struct Constraint: Decodable, Sendable {
        let table_name: String
        let constraint_name: String
        let definition: String
    }

    /// Unique keys first, so that the foreign keys are added back after them.
    private let constraints: [Constraint]
    private let isPostgres: Bool

    static func setAside(on sql: any SQLDatabase) async throws -> BulkLoadConstraints {
        try await SecondaryIndexes.drop(on: sql)
        guard sql.dialect.name == "postgresql" else { return BulkLoadConstraints(constraints: [], isPostgres: false) }
        let constraints = try await sql.raw("""
            SELECT c.conrelid::regclass::text AS table_name, c.conname AS constraint_name, pg_get_constraintdef(c.oid) AS definition
            FROM pg_constraint c
            WHERE c.contype IN ('u', 'f') AND c.conrelid IN (\(SQLList(tables.map { SQLRaw("to_regclass('\($0)')") })))
            ORDER BY c.contype DESC, c.conname
            """).all(decoding: Constraint.self)
        for constraint in constraints {
            try await sql.raw("ALTER TABLE \(unsafeRaw: constraint.table_name) DROP CONSTRAINT \(ident: constraint.constraint_name)").run()
        }
        // The rebuilt indexes sort in memory instead of in 64 MB runs on disk (the server's
        // memory, until the load's transaction ends; checking a foreign key uses it too).
        try await sql.raw("SET LOCAL maintenance_work_mem = '256MB'").run()
        return BulkLoadConstraints(constraints: constraints, isPostgres: true)
    }

    func restore(on sql: any SQLDatabase) async throws {
        let clock = ContinuousClock()
        var mark = clock.now
        func lap(_ what: String) {
            sql.logger.debug("bulk load: \(what) \(clock.now - mark)")
            mark = clock.now
        }
        try await SecondaryIndexes.create(on: sql)
        lap("secondary indexes")
        for constraint in constraints {
            try await sql.raw("ALTER TABLE \(unsafeRaw: constraint.table_name) ADD CONSTRAINT \(ident: constraint.constraint_name) \(unsafeRaw: constraint.definition)").run()
            lap(constraint.constraint_name)
        }
        // The planner's statistics still describe the empty tables: without them a county's
        // registry page took 455 ms instead of 3 ms right after a load.
        if isPostgres {
            try await sql.raw("ANALYZE \(unsafeRaw: Self.tables.joined(separator: ", "))").run()
            lap("ANALYZE")
        }
    }
}
