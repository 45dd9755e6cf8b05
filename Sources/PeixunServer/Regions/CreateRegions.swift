import Fluent
import PeixunCore

/// Creates the region tables and fills them from the bundled Sichuan division list.
struct CreateRegions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(RegionModel.schema)
            .field("code", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("level", .string, .required)
            .field("parent_code", .string, .references(RegionModel.schema, "code"))
            .create()
        try await database.schema(RegionAliasModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("alias", .string, .required)
            .field("region_code", .string, .required, .references(RegionModel.schema, "code"))
            .field("kind", .string, .required)
            .unique(on: "alias", "region_code")
            .create()

        let directory = RegionDirectory.sichuan
        // Parents first, so that every parent_code already exists.
        for level in Region.Level.allCases {
            for region in directory.regions where region.level == level {
                try await RegionModel(region).create(on: database)
            }
        }
        for alias in directory.aliases() {
            try await RegionAliasModel(alias: alias.alias, regionCode: alias.regionCode, kind: alias.kind).create(on: database)
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(RegionAliasModel.schema).delete()
        try await database.schema(RegionModel.schema).delete()
    }
}
