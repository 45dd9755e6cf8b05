import Fluent
import Foundation

/// A browser session, kept in the database so that every app instance sees it. The cookie
/// carries a random token; only its SHA-256 is stored. Anonymous sessions exist only to carry
/// the CSRF token of the login and activation forms.
final class SessionModel: Model, @unchecked Sendable {
    static let schema = "sessions"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "token_hash") var tokenHash: String
    @OptionalField(key: "user_id") var userID: Int?
    @Field(key: "csrf_token") var csrfToken: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @Field(key: "address") var address: String

    init() {}
}
