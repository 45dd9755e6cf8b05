import Fluent
import Foundation
import SQLKit
import Vapor

/// `peixun check [--json]`: is the database consistent? The storage's own check (SQLite
/// `integrity_check` and `foreign_key_check`; on PostgreSQL every foreign key's orphans and
/// constraints left unvalidated), then every derived figure against a rebuild from what it
/// derives from: `first_passed_year` from the training records, the school and county
/// rollups from the teachers. Reads only. Exit status 0 all consistent, 1 not.
struct CheckCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "json", help: "以 JSON 输出 {\"ok\",\"checks\":[{\"name\",\"ok\",\"detail\"}]}")
        var json: Bool

        init() {}
    }

    var help: String { "检查数据库是否一致：完整性、外键、统计汇总与全量重建是否相同" }

    struct Check: Content {
        let name: String
        let ok: Bool
        let detail: String
    }

    struct Report: Content {
        let ok: Bool
        let checks: [Check]
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let report = try await DatabaseCheck(database: context.application.db as! any SQLDatabase).run()
        if signature.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            context.console.output(String(decoding: try encoder.encode(report), as: UTF8.self), style: .plain)
        } else {
            for check in report.checks {
                context.console.print("\(check.ok ? "通过" : "不一致")  \(check.name)：\(check.detail)")
            }
            context.console.print(report.ok ? "数据库一致。" : "数据库不一致，见上。")
        }
        if !report.ok { throw ExitCode(1) }
    }
}

/// The checks behind `peixun check`, also used by tests.
struct DatabaseCheck {
    let database: any SQLDatabase

    private struct Count: Decodable { let n: Int }

    private func count(_ query: SQLQueryString) async throws -> Int {
        try await database.raw(query).first(decoding: Count.self)?.n ?? 0
    }

    /// How many rows one query has and the other has not, either way.
    private func difference(_ a: SQLQueryString, _ b: SQLQueryString) -> SQLQueryString {
        "SELECT COUNT(*) AS n FROM (SELECT * FROM (\(a) EXCEPT \(b)) x UNION ALL SELECT * FROM (\(b) EXCEPT \(a)) y) d"
    }

    func run() async throws -> CheckCommand.Report {
        var checks: [CheckCommand.Check] = []
        if database.dialect.name == "sqlite" {
            struct Line: Decodable { let integrity_check: String }
            let lines = try await database.raw("PRAGMA integrity_check").all(decoding: Line.self).map(\.integrity_check)
            checks.append(.init(name: "SQLite integrity_check", ok: lines == ["ok"], detail: lines.prefix(5).joined(separator: "; ")))
            let orphans = try await database.raw("PRAGMA foreign_key_check").all().count
            checks.append(.init(name: "外键（foreign_key_check）", ok: orphans == 0, detail: "\(orphans) 行引用了不存在的记录"))
        } else {
            checks.append(try await postgresForeignKeys())
        }
        let firstPassed = try await count("""
            SELECT COUNT(*) AS n FROM teachers t
            WHERE COALESCE(t.first_passed_year, -1) <> COALESCE((SELECT MIN(r.year) FROM training_records r
                WHERE r.teacher_id = t.id AND r.result = 'passed'), -1)
            """)
        checks.append(.init(name: "教师首次合格年度与培训记录", ok: firstPassed == 0, detail: "\(firstPassed) 名教师不符"))
        let rebuilt: SQLQueryString = """
            SELECT school_id, county_code, city_code, stage, COALESCE(first_passed_year, 0) AS y, COUNT(*) AS n
            FROM teachers GROUP BY school_id, county_code, city_code, stage, COALESCE(first_passed_year, 0)
            """
        let stored: SQLQueryString = "SELECT school_id, county_code, city_code, stage, first_passed_year, teachers FROM progress_rollups"
        let schools = try await count(difference(rebuilt, stored))
        checks.append(.init(name: "学校汇总（progress_rollups）与全量重建", ok: schools == 0, detail: "\(schools) 行不同"))
        let countyRebuilt: SQLQueryString = """
            SELECT county_code, city_code, COALESCE(first_passed_year, 0) AS y, COUNT(*) AS n
            FROM teachers GROUP BY county_code, city_code, COALESCE(first_passed_year, 0)
            """
        let countyStored: SQLQueryString = "SELECT county_code, city_code, first_passed_year, teachers FROM progress_county_rollups"
        let counties = try await count(difference(countyRebuilt, countyStored))
        checks.append(.init(name: "县汇总（progress_county_rollups）与全量重建", ok: counties == 0, detail: "\(counties) 行不同"))
        let running = try await count("SELECT COUNT(*) AS n FROM jobs WHERE state = 'running'")
        checks.append(.init(name: "后台任务", ok: true, detail: "执行中 \(running) 个（中断的任务在服务下次启动时重试或标为未完成）"))
        return .init(ok: checks.allSatisfy(\.ok), checks: checks)
    }

    /// Every single-column foreign key of the current schema: rows whose reference is missing,
    /// and constraints added `NOT VALID` (never checked against old rows).
    private func postgresForeignKeys() async throws -> CheckCommand.Check {
        struct Key: Decodable { let child: String; let col: String; let parent: String; let pcol: String; let validated: Bool }
        let keys = try await database.raw("""
            SELECT cl.relname AS child, a.attname AS col, pl.relname AS parent, pa.attname AS pcol, c.convalidated AS validated
            FROM pg_constraint c
            JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class pl ON pl.oid = c.confrelid
            JOIN pg_namespace n ON n.oid = cl.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
            WHERE c.contype = 'f' AND n.nspname = current_schema() AND cardinality(c.conkey) = 1
            """).all(decoding: Key.self)
        var problems: [String] = []
        for key in keys {
            if !key.validated { problems.append("\(key.child).\(key.col) 未验证") }
            let orphans = try await count("""
                SELECT COUNT(*) AS n FROM \(ident: key.child) c WHERE c.\(ident: key.col) IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM \(ident: key.parent) p WHERE p.\(ident: key.pcol) = c.\(ident: key.col))
                """)
            if orphans > 0 { problems.append("\(key.child).\(key.col)：\(orphans) 行") }
        }
        return .init(name: "外键（PostgreSQL，\(keys.count) 个）", ok: problems.isEmpty,
                     detail: problems.isEmpty ? "均有效" : problems.prefix(10).joined(separator: "；"))
    }
}
