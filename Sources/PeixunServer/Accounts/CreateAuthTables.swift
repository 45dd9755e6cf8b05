import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor

struct CreateAuthTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ApiTokenModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("user_id", .int, .required, .references(UserModel.schema, .id, onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.schema(LoginAttemptModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("username", .string, .required)
            .field("address", .string, .required)
            .field("succeeded", .bool, .required)
            .field("attempted_at", .datetime, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "login_attempts_username").on(LoginAttemptModel.schema).column("username").column("attempted_at").run()
        try await sql.create(index: "login_attempts_address").on(LoginAttemptModel.schema).column("address").column("attempted_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(LoginAttemptModel.schema).delete()
        try await database.schema(ApiTokenModel.schema).delete()
    }
}
