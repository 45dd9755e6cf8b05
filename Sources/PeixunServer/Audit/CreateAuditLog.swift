import Fluent
import Foundation
import SQLKit

struct CreateAuditLog: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuditEntryModel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("occurred_at", .datetime, .required)
            .field("user_id", .int)
            .field("username", .string, .required)
            .field("address", .string, .required)
            .field("action", .string, .required)
            .field("object_type", .string, .required)
            .field("object_id", .string)
            .field("county_code", .string)
            .field("city_code", .string)
            .field("changes", .string, .required)
            .field("summary", .string, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "audit_log_time").on(AuditEntryModel.schema).column("occurred_at").run()
        try await sql.create(index: "audit_log_city").on(AuditEntryModel.schema).column("city_code").column("occurred_at").run()
        try await sql.create(index: "audit_log_county").on(AuditEntryModel.schema).column("county_code").column("occurred_at").run()
        // Append-only, enforced by the database itself and not only by the absence of routes.
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION '审计日志只能追加，不能修改或删除'; END; $$ LANGUAGE plpgsql
                """).run()
            try await sql.raw("""
                CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
                """).run()
        } else {
            try await sql.raw("""
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改或删除'); END
                """).run()
            try await sql.raw("""
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改或删除'); END
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await sql.raw("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log").run()
            try await sql.raw("DROP FUNCTION IF EXISTS audit_log_append_only()").run()
        }
        try await database.schema(AuditEntryModel.schema).delete()
    }
}
