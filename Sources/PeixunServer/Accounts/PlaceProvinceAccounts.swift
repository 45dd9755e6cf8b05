import Fluent
import SQLKit

/// A province account without a region once meant "the whole tree". The scope is now derived
/// from the region alone (`RegionScope(role:regionCode:teacherID:directory:)`, where a missing
/// region sees nothing), so such accounts are placed on the top of the tree they served, each
/// placement audited.
struct PlaceProvinceAccounts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.transaction { try await place(on: $0) }
    }

    private func place(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        struct Top: Decodable { let code: String? }
        struct Account: Decodable { let id: Int; let username: String }
        guard let top = try await sql.raw("SELECT MIN(code) AS code FROM regions WHERE level = 'province' AND parent_code IS NULL")
            .first(decoding: Top.self)?.code else { return }
        let accounts = try await sql.raw("SELECT id, username FROM users WHERE role = 'province' AND region_code IS NULL ORDER BY id")
            .all(decoding: Account.self)
        for account in accounts {
            try await sql.raw("UPDATE users SET region_code = \(bind: top) WHERE id = \(bind: account.id)").run()
            try await AuditLog.record(on: database, actor: .commandLine, action: .update, objectType: "user", objectID: String(account.id),
                                      changes: ["region_code": .init(before: nil, after: top)],
                                      summary: "省级账户 \(account.username) 未设所属行政区划，按原有权限归属 \(top)（数据库升级）")
        }
    }

    /// Nothing to undo: the region now says what the missing one meant.
    func revert(on database: any Database) async throws {}
}
