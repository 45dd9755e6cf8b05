import Fluent
import PeixunCore
import SQLKit
import Vapor

/// The region tree of a database that holds more than Sichuan (`peixun demo --scale N`, N > 1):
/// 全国 (000000) above Sichuan and the synthetic provinces. The migration creates Sichuan's
/// tree; the demo adds the rest, and every start reads it back (`NationalRegionsLoader`).
/// With Sichuan alone nothing here runs and `app.regions` is the bundled directory, as always.
enum NationalRegions {
    /// Writes 全国 and the synthetic provinces, and hangs Sichuan below 全国.
    static func insert(_ nation: DemoNationGenerator, on sql: any SQLDatabase) async throws {
        let added = nation.addedRegions
        guard !added.isEmpty else { return }
        for chunk in stride(from: 0, to: added.count, by: 500).map({ added[$0..<min($0 + 500, added.count)] }) {
            var insert = sql.insert(into: RegionModel.schema).columns("code", "name", "level", "parent_code")
            for region in chunk {
                insert = insert.values(SQLBind(region.code), SQLBind(region.name), SQLBind(region.level.rawValue), SQLBind(region.parentCode))
            }
            try await insert.run()
        }
        try await sql.update(RegionModel.schema).set("parent_code", to: SyntheticProvinces.nationalCode)
            .where("level", .equal, Region.Level.province.rawValue).where("code", .notEqual, SyntheticProvinces.nationalCode)
            .where("parent_code", .is, SQLLiteral.null).run()
    }

    /// The directory stored in the database, when it has a national root; nil otherwise (and
    /// for a database not migrated yet, which has no regions table).
    static func read(on sql: any SQLDatabase) async throws -> RegionDirectory? {
        struct Row: Decodable { let code: String; let name: String; let level: String; let parent_code: String? }
        guard try await hasRegionsTable(sql), try await hasNationalRoot(on: sql) else { return nil }
        let rows = try await sql.select().columns("code", "name", "level", "parent_code").from(RegionModel.schema)
            .orderBy("code").all(decoding: Row.self)
        let regions = rows.compactMap { row in
            Region.Level(rawValue: row.level).map { Region(code: row.code, name: row.name, level: $0, parentCode: row.parent_code) }
        }
        // 全国 (000000) sorts first: `RegionDirectory.province` is the top of the tree.
        return RegionDirectory(regions: regions, changes: RegionDirectory.sichuan.changes)
    }

    static func hasNationalRoot(on sql: any SQLDatabase) async throws -> Bool {
        try await !sql.select().column("code").from(RegionModel.schema)
            .where("code", .equal, SyntheticProvinces.nationalCode).all().isEmpty
    }

    private static func hasRegionsTable(_ sql: any SQLDatabase) async throws -> Bool {
        struct Found: Decodable { let found: Int }
        let query: SQLQueryString = sql.dialect.name == "sqlite"
            ? "SELECT COUNT(*) AS found FROM sqlite_master WHERE type = 'table' AND name = 'regions'"
            : "SELECT COUNT(*) AS found FROM pg_catalog.pg_tables WHERE tablename = 'regions' AND schemaname = current_schema()"
        return try await sql.raw(query).first(decoding: Found.self)?.found ?? 0 > 0
    }
}

struct NationalRegionsKey: StorageKey {
    typealias Value = RegionDirectory
}

extension Application {
    /// The region tree this instance serves: Sichuan, or the national tree a demo at scale N > 1 wrote.
    var nationalRegions: RegionDirectory? {
        get { storage[NationalRegionsKey.self] }
        set { storage[NationalRegionsKey.self] = newValue }
    }

    /// Reads the national tree from the database (after `peixun demo --scale N`); keeps Sichuan when there is none.
    func loadNationalRegions() async throws {
        guard let sql = db as? any SQLDatabase else { return }
        nationalRegions = try await NationalRegions.read(on: sql)
    }
}

/// At start: a database that holds 全国 serves the national tree. An error reading it stops
/// the start: serving Sichuan's tree over a national database would make Sichuan's office the
/// top of the tree, with everything that brings.
/// Other commands (a restore into an empty database, a migration) run without it and say so.
struct NationalRegionsLoader: LifecycleHandler {
    func didBootAsync(_ application: Application) async throws {
        do {
            try await application.loadNationalRegions()
        } catch where !Self.serves(application) {
            application.logger.warning("未能读取数据库中的行政区划树，本命令按四川省运行：\(String(describing: error).prefix(200))")
        }
    }

    /// `peixun serve`, or no command at all (Vapor's default).
    static func serves(_ application: Application) -> Bool {
        guard let command = application.environment.arguments.dropFirst().first else { return true }
        return command == "serve" || command.hasPrefix("-")
    }
}

extension Application {
    /// Whether the tree this instance serves is still the database's: false after
    /// `peixun demo --scale N` filled a database this instance had started on. Reloads then.
    func nationalRegionsAreCurrent() async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return true }
        guard try await NationalRegions.hasNationalRoot(on: sql) != (nationalRegions != nil) else { return true }
        try await loadNationalRegions()
        return false
    }
}
