import Fluent
import Foundation
import PeixunCore
import Vapor

/// Writes audit entries. Call it with the same `Database` (transaction) as the change it
/// describes, so that a change and its entry are committed or rolled back together.
struct AuditLog {
    enum Action: String, Sendable, CaseIterable {
        case login, loginFailure = "login_failure", logout, create, update, delete, disable, enable
        case passwordChange = "password_change", passwordReset = "password_reset", activate
        case tokenIssue = "token_issue", tokenRevoke = "token_revoke"
        case `import`, export, approve, viewFullID = "view_full_id", searchFullID = "search_full_id"
        case submit, reject, cancel, transfer
        /// A county's 核实 of one entry of a cooperation project's list (logged as `approve` before).
        case verify
        case issueCertificates = "certificate_issue", revokeCertificate = "certificate_revoke", titleCheck = "title_check"

        var label: String {
            switch self {
            case .login: "登录"
            case .loginFailure: "登录失败"
            case .logout: "退出"
            case .create: "新建"
            case .update: "修改"
            case .delete: "删除"
            case .disable: "停用"
            case .enable: "启用"
            case .passwordChange: "修改密码"
            case .passwordReset: "重置密码"
            case .activate: "首次登录激活"
            case .tokenIssue: "签发访问令牌"
            case .tokenRevoke: "注销访问令牌"
            case .import: "导入"
            case .export: "导出"
            case .approve: "审核通过"
            case .viewFullID: "查看完整身份证号"
            case .searchFullID: "按完整身份证号查询"
            case .submit: "提交"
            case .reject: "退回"
            case .cancel: "撤销"
            case .transfer: "调动"
            case .verify: "核实"
            case .issueCertificates: "签发证书"
            case .revokeCertificate: "撤销证书"
            case .titleCheck: "职称评审核验"
            }
        }
    }

    struct Actor: Sendable {
        let userID: Int?
        let username: String
        let address: String
        /// What the actor's changes are stamped with: the request's clock, or the live one.
        let clock: any AppClock

        init(userID: Int?, username: String, address: String, clock: any AppClock = LiveClock()) {
            self.userID = userID
            self.username = username
            self.address = address
            self.clock = clock
        }

        init(_ request: Request) {
            self.init(userID: request.currentUser?.id, username: request.currentUser?.username ?? "（匿名）", address: request.clientAddress,
                      clock: request.clock)
        }

        static let commandLine = Actor(userID: nil, username: "（命令行）", address: "localhost")
    }

    /// Before and after of one field; nil is "not set".
    struct Change: Sendable, Encodable {
        let before: String?
        let after: String?
    }

    static func record(
        on database: any Database, actor: Actor, action: Action, objectType: String, objectID: String?,
        countyCode: String? = nil, cityCode: String? = nil, changes: [String: Change] = [:], summary: String
    ) async throws {
        let entry = AuditEntryModel()
        entry.occurredAt = actor.clock.now()
        entry.userID = actor.userID
        entry.username = actor.username
        entry.address = actor.address
        entry.action = action.rawValue
        entry.objectType = objectType
        entry.objectID = objectID
        entry.countyCode = countyCode
        entry.cityCode = cityCode
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        entry.changes = String(decoding: try encoder.encode(changes), as: UTF8.self)
        entry.summary = summary
        try await entry.create(on: database)
    }

    /// The region columns of an object in `regionCode`, for scoping the log by subtree.
    static func regionColumns(_ regionCode: String?, directory: RegionDirectory) -> (county: String?, city: String?) {
        guard let code = regionCode, let region = directory.region(code: code) else { return (nil, nil) }
        switch region.level {
        // A province below 全国 files under its own code, which its office's range of city codes
        // holds; the top of the tree under none, which only the top office reads.
        case .province: return (nil, region.parentCode == nil ? nil : region.code)
        case .city: return (nil, region.code)
        case .county: return (region.code, region.parentCode)
        }
    }

    /// Where a change touching `counties` is filed: at the lowest region holding them all, so
    /// that the county, city or province that made it sees it in its log. Filed above one city,
    /// it also lists the cities it touched (a `cities` change, comma-separated codes), so that a
    /// city's approved table attributes it only to the cities it did change (`FrozenEdits`).
    static func filing(counties: [String], directory: RegionDirectory) -> (columns: (county: String?, city: String?), changes: [String: Change]) {
        if counties.count == 1 { return (regionColumns(counties[0], directory: directory), [:]) }
        let cities = Set(counties.compactMap { directory.region(code: $0)?.parentCode })
        if cities.count == 1 { return (regionColumns(cities.first, directory: directory), [:]) }
        let provinces = Set(cities.compactMap { directory.region(code: $0)?.parentCode })
        let columns = provinces.count == 1 ? regionColumns(provinces.first, directory: directory) : (nil, nil)
        return (columns, [citiesKey: Change(before: nil, after: cities.sorted().joined(separator: ","))])
    }

    /// The key of the change that lists the cities a change filed above a city touched.
    static let citiesKey = "cities"
}
