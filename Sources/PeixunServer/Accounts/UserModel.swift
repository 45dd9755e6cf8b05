import Fluent
import Foundation
import PeixunCore
import Vapor

/// A person who logs in. Administrative users have one scope region; a teacher user is tied
/// to its Teacher record and logs in with its resident ID.
final class UserModel: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "username") var username: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "role") var role: String
    @OptionalField(key: "region_code") var regionCode: String?
    @OptionalField(key: "teacher_id") var teacherID: Int?
    @Field(key: "disabled") var disabled: Bool
    @OptionalField(key: "created_by") var createdBy: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @OptionalField(key: "password_changed_at") var passwordChangedAt: Date?
    /// Set when someone else chose the password (see `AddMustChangePassword`).
    @Field(key: "must_change_password") var mustChangePassword: Bool

    init() {
        mustChangePassword = false
    }

    /// For lists and the command line; an unknown stored role shows as the role with the least reach.
    var roleValue: Role { Role(rawValue: role) ?? .reviewer }

    /// For signing in: an unknown stored role is an error naming the row, never a default.
    func storedRole() throws -> Role {
        try .read(role, table: Self.schema, row: id, column: "role")
    }

    func scope(in regions: RegionDirectory) -> RegionScope {
        RegionScope(role: roleValue, regionCode: regionCode, teacherID: teacherID, directory: regions)
    }
}

/// The projects an institution user runs.
final class UserProjectModel: Model, @unchecked Sendable {
    static let schema = "user_projects"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "user_id") var userID: Int
    @Field(key: "project_id") var projectID: Int

    init() {}
}
