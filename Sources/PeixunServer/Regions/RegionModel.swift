import Fluent
import PeixunCore

/// A row of the region tree, keyed by its GB/T 2260 code.
final class RegionModel: Model, @unchecked Sendable {
    static let schema = "regions"

    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "level") var level: String
    @OptionalField(key: "parent_code") var parentCode: String?

    init() {}

    init(_ region: Region) {
        id = region.code
        name = region.name
        level = region.level.rawValue
        parentCode = region.parentCode
    }
}

/// Another name or code by which a region is known (阿坝州, 郫县, 512081).
final class RegionAliasModel: Model, @unchecked Sendable {
    static let schema = "region_aliases"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "alias") var alias: String
    @Field(key: "region_code") var regionCode: String
    @Field(key: "kind") var kind: String

    init() {}

    init(alias: String, regionCode: String, kind: RegionMatch.Kind) {
        self.alias = alias
        self.regionCode = regionCode
        self.kind = kind.rawValue
    }
}
