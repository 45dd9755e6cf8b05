import Foundation
import PeixunCore
import PeixunSheets

extension ImportKind {
    /// A training institution's qualified list for one of its own projects: the qualified-list
    /// import (same checks, same error workbook) whose commit waits for the province
    /// (`ProposedLists`) instead of reaching the counties.
    static let proposedList = ImportKind(
        kind: "proposed_list", title: "上报合作项目合格人员名单", route: .institution, formTemplate: "proposal-import",
        roles: [.institution],
        // The same choices as the province's upload: a project and a year.
        configure: ImportKind.qualifiedList.configure,
        run: { upload, url, context, dryRun, skipInvalid, progress in
            guard let userID = context.actor.userID else { throw ProposedLists.refusal(projectID: upload.projectID ?? 0) }
            let lists = ProposedLists(database: context.database, regions: context.application.regions,
                                      scope: .institution(userID: userID), actor: context.actor)
            let options = try await lists.importOptions(projectID: upload.projectID ?? 0, year: upload.schoolYear ?? 0, fileURL: url,
                                                        fileName: upload.fileName, dryRun: dryRun, skipInvalid: skipInvalid, progress: progress)
            return try await QualifiedListImporter(database: context.database, regions: context.application.regions, actor: context.actor)
                .run(url: url, fileName: upload.fileName, options: options)
        })
}
