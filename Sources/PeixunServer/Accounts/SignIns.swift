import Fluent
import Foundation

/// Every way a user is signed in: browser sessions and API tokens. A new password, a reset or a
/// disabled account ends all of them, so that nothing issued under the old password outlives it.
enum SignIns {
    /// Ends the user's sessions (all but `keepingSession`, the one that changed its own password)
    /// and revokes its API tokens. Call it inside the transaction that changes the user.
    static func endAll(userID: Int, keepingSession: Int? = nil, on database: any Database, now: Date) async throws {
        var sessions = SessionModel.query(on: database).filter(\.$userID == userID)
        if let keepingSession { sessions = sessions.filter(\.$id != keepingSession) }
        try await sessions.delete()
        try await ApiTokenModel.query(on: database).filter(\.$userID == userID).filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: now).update()
    }
}

/// A password that someone else set (a reset, or an account made by an administrator) is known
/// to two people: its user must replace it at the next login before doing anything else.
struct AddMustChangePassword: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(UserModel.schema)
            .field("must_change_password", .bool, .required, .sql(.default(false)))
            .update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(UserModel.schema).deleteField("must_change_password").update()
    }
}
