import Fluent
import Foundation
import Vapor

/// The exports a job writes, read again from the query string their page sent, with the
/// owner's scope as it is when the job runs (it may have changed since the click).
extension TeacherListController {
    static func export(query: String, context: JobContext) async throws -> TableExport {
        let owner = context.owner
        guard [.province, .city, .county].contains(owner.role) else { throw AppError.notFound() }
        let decoded = try URLEncodedFormDecoder().decode(TeacherSearch.Query.self, from: query)
        let search = try TeacherSearch(decoded, scope: owner.scope, regions: context.app.regions, today: context.app.clock.today())
        return try await export(search, user: owner, filters: query, database: context.db, regions: context.app.regions,
                                actor: context.actor, today: context.app.clock.today())
    }
}

extension UntrainedExportController {
    static func export(query: String, context: JobContext) async throws -> TableExport {
        let decoded = try URLEncodedFormDecoder().decode(Query.self, from: query)
        return try await export(decoded, scope: context.owner.scope, database: context.db, regions: context.app.regions, actor: context.actor)
    }
}
