import Fluent
import PeixunCore
import SQLKit

/// Which cooperation projects a user may see and act for, beside its region scope: the
/// province office at the top of the tree every project, a training institution the projects linked to its account
/// (`institution_projects`), everybody else none. Every query about an institution's
/// projects, its proposed lists and its trainees' progress narrows through here.
enum ProjectScope: Sendable, Equatable {
    case all
    case institution(userID: Int)
    case none

    init(_ user: CurrentUser) {
        switch user.role {
        // Proposed lists reach every county of the tree: the office at its top decides them.
        case .province: self = user.isTopOffice ? .all : .none
        case .institution: self = .institution(userID: user.id)
        default: self = .none
        }
    }

    /// SQL: the project id in `projectColumn` is within the scope.
    func predicate(projectColumn: String) -> SQLQueryString {
        switch self {
        case .all: "1 = 1"
        case .institution(let userID):
            "\(unsafeRaw: projectColumn) IN (SELECT sp.project_id FROM institution_projects sp WHERE sp.user_id = \(bind: userID))"
        case .none: "1 = 0"
        }
    }

    /// The cooperation projects in scope, by id.
    func projects(on database: any Database) async throws -> [ProjectModel] {
        let ids = try await projectIDs(on: database as! any SQLDatabase)
        return try await ProjectModel.query(on: database).filter(\.$id ~~ ids)
            .filter(\.$level == TrainingLevel.cooperation.rawValue).sort(\.$id).all()
    }

    func projectIDs(on sql: any SQLDatabase) async throws -> [Int] {
        struct Row: Decodable { let id: Int }
        return try await sql.raw("SELECT p.id FROM projects p WHERE \(predicate(projectColumn: "p.id")) ORDER BY p.id")
            .all(decoding: Row.self).map(\.id)
    }

    func contains(projectID: Int, on sql: any SQLDatabase) async throws -> Bool {
        struct Row: Decodable { let n: Int }
        let row = try await sql.raw("SELECT COUNT(*) AS n FROM projects p WHERE p.id = \(bind: projectID) AND \(predicate(projectColumn: "p.id"))")
            .first(decoding: Row.self)
        return (row?.n ?? 0) > 0
    }
}
