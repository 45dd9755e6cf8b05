import Fluent
import Foundation
import PeixunCore

extension ApprovalService {
    /// One step on a yearly report from a page's form or the API (contacts, Appendix 1): `submit`
    /// acts on the user's own unit, the other steps on a unit below it named by `code`; sending
    /// back needs a reason. Refusals name `report` (联系人信息, 培训实施情况) and carry `codePrefix`
    /// in their codes; a city whose counties have not all submitted is told which. Runs in its
    /// own transaction; returns the unit acted on.
    @discardableResult
    func step(_ kind: ApprovalEvent.Kind, subject: Int, region code: String?, reason: String?, report: String, codePrefix: String,
              on database: any Database) async throws -> Region {
        let target: Region
        if kind == .submit {
            guard let own = user.regionCode, let region = regions.region(code: own), region.level != .province else {
                throw AppError(.forbidden, code: "\(codePrefix).not_unit", "只有市(州)和县(市、区)提交本级\(report)")
            }
            target = region
        } else {
            target = try user.visibleRegion(code ?? "", in: regions)
            guard target.code != user.regionCode, target.level != .province else {
                throw AppError(.unprocessableEntity, code: "\(codePrefix).target", "请选择下级单位")
            }
        }
        let event: ApprovalEvent
        switch kind {
        case .submit: event = .submit
        case .approve: event = .approve
        case .reopen: event = .reopen
        case .sendBack:
            guard let text = reason.map(TextCleaning.clean), !text.isEmpty else {
                throw InputRefusal(field: "退回原因", code: "reason.missing", "请填写退回原因")
            }
            event = .sendBack(reason: text)
        }
        try await database.transaction { db in
            do {
                try await apply(event, to: target, subject: subject, on: db)
            } catch let error as AppError where error.code == "approval.children_open" {
                let states = try await states(subject: subject, regions: regions.children(of: target.code).map(\.code), on: db)
                let open = states.filter { $0.value.isEditable }.keys.compactMap { regions.region(code: $0)?.name }.sorted()
                throw AppError(.conflict, code: "\(codePrefix).counties_open", "以下县(市、区)尚未提交\(report)：\(open.joined(separator: "、"))")
            }
        }
        return target
    }
}

extension SiteURL.Plans.Decision {
    /// The engine's event this step of a form or API path names.
    var kind: ApprovalEvent.Kind {
        switch self {
        case .submit: .submit
        case .sendBack: .sendBack
        case .approve: .approve
        case .reopen: .reopen
        }
    }
}
