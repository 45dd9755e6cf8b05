import SQLKit

/// What a bulk load (the demo province, a province's first roster) sets aside while it writes
/// and puts back, checked, in the same transaction: the secondary indexes on both databases,
/// and on PostgreSQL the foreign keys of the loaded tables too. PostgreSQL checks a foreign
/// key row by row with a locking look-up in the parent table; for 737,686 teachers the three
/// keys of `teachers` cost 31 s of a 38 s COPY, while adding them back afterwards checks
/// every row in one join in 1.5 s (bench/README.md). Nothing unchecked is ever committed:
/// `restore` fails, and the transaction with it, if any row breaks a key. The unique keys only
/// when asked (`uniqueKeys`): the demo's copies gained 1.9 s without them and rebuilding them
/// cost 0.7–1.1 s, but for the roster alone the gain (0.4–0.7 s) about paid the rebuild
/// (0.35–0.56 s). A larger `maintenance_work_mem` did not pay on two cores (bench/README.md).
struct BulkLoadConstraints: Sendable {
    /// The tables bulk loads write.
    static let tables = ["schools", "teachers", "training_records"]

    private struct Key: Decodable, Sendable {
        let table_name: String
        let constraint_name: String
        let definition: String
    }

    /// Unique keys first, put back before the foreign keys.
    private let keys: [Key]
    private let isPostgres: Bool

    static func setAside(on sql: any SQLDatabase, uniqueKeys: Bool = false) async throws -> BulkLoadConstraints {
        try await SecondaryIndexes.drop(on: sql)
        guard sql.dialect.name == "postgresql" else { return BulkLoadConstraints(keys: [], isPostgres: false) }
        let keys = try await sql.raw("""
            SELECT c.conrelid::regclass::text AS table_name, c.conname AS constraint_name, pg_get_constraintdef(c.oid) AS definition
            FROM pg_constraint c
            WHERE c.contype IN (\(unsafeRaw: uniqueKeys ? "'f', 'u'" : "'f'")) AND c.conrelid IN (\(SQLList(tables.map { SQLRaw("to_regclass('\($0)')") })))
            ORDER BY c.contype DESC, c.conname
            """).all(decoding: Key.self)
        for key in keys {
            try await sql.raw("ALTER TABLE \(unsafeRaw: key.table_name) DROP CONSTRAINT \(ident: key.constraint_name)").run()
        }
        return BulkLoadConstraints(keys: keys, isPostgres: true)
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
        for key in keys {
            try await sql.raw("ALTER TABLE \(unsafeRaw: key.table_name) ADD CONSTRAINT \(ident: key.constraint_name) \(unsafeRaw: key.definition)").run()
            lap(key.constraint_name)
        }
        // The planner's statistics still describe the empty tables: without them a county's
        // registry page took 455 ms instead of 3 ms right after a load.
        if isPostgres {
            try await sql.raw("ANALYZE \(unsafeRaw: Self.tables.joined(separator: ", "))").run()
            lap("ANALYZE")
        }
    }
}
