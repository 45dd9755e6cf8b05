import Foundation
import Vapor

extension SiteURL {
    /// Logging in and out, passwords, teacher activation and user management.
    enum Accounts: SiteResource {
        /// What an administrator does to an account.
        enum Change: String, CaseIterable, Sendable {
            case disable, enable
            case resetPassword = "reset-password"
        }

        case login(next: String? = nil)
        case logout
        case activate
        case password
        case users
        case newUser
        case user(Parameter<Int>, Change)
        /// A county resets one of its teachers' passwords.
        case resetTeacherPassword(Parameter<Int>)
        case apiSession
        case apiMe
        case apiMePassword
        case apiUsers
        case apiUser(Parameter<Int>, Change)

        var segments: [String] {
            switch self {
            case .login: ["login"]
            case .logout: ["logout"]
            case .activate: ["activate"]
            case .password: ["account", "password"]
            case .users: ["users"]
            case .newUser: ["users", "new"]
            case .user(let id, let change): ["users", id.segment(.userID), change.rawValue]
            case .resetTeacherPassword(let id): ["teachers", id.segment(.teacherID), "reset-password"]
            case .apiSession: ["api", "v1", "session"]
            case .apiMe: ["api", "v1", "me"]
            case .apiMePassword: ["api", "v1", "me", "password"]
            case .apiUsers: ["api", "v1", "users"]
            case .apiUser(let id, let change): ["api", "v1", "users", id.segment(.userID), change.rawValue]
            }
        }

        var query: [URLQueryItem] {
            switch self {
            case .login(let next): .init(["next": next])
            default: []
            }
        }

        static let routes: [(HTTPMethod, Self)] = [
            (.GET, .login()), (.POST, .login()), (.POST, .logout), (.GET, .activate), (.POST, .activate),
            (.GET, .password), (.POST, .password), (.GET, .users), (.POST, .users), (.GET, .newUser),
            (.POST, .resetTeacherPassword(.key)),
            (.POST, .apiSession), (.DELETE, .apiSession), (.GET, .apiMe), (.POST, .apiMePassword),
            (.GET, .apiUsers), (.POST, .apiUsers),
        ] + Change.allCases.flatMap { [(.POST, .user(.key, $0)), (.POST, .apiUser(.key, $0))] }
    }
}
