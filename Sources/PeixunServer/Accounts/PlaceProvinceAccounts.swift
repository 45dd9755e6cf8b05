import Fluent
import SQLKit

/// A province account without a region once meant "the whole tree". The scope is now derived
/// from the region alone (`RegionScope(role:regionCode:teacherID:directory:)`, where a missing
/// region sees nothing), so such accounts are placed on the top of the tree they served.
struct PlaceProvinceAccounts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("""
            UPDATE users SET region_code = (SELECT MIN(code) FROM regions WHERE level = 'province' AND parent_code IS NULL)
            WHERE role = 'province' AND region_code IS NULL
            """).run()
    }

    /// Nothing to undo: the region now says what the missing one meant.
    func revert(on database: any Database) async throws {}
}
