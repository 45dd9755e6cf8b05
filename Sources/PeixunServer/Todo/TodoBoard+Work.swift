import Fluent
import Foundation
import PeixunCore
import SQLKit

/// The to-do items beside the reporting workflows: reissue requests, teacher transfers,
/// institutions' lists and statements, and imports left unfinished. Each counts with the
/// same condition as `TodoBadge`, so the menu's number and the board agree.
extension TodoBoard {
    private var sql: any SQLDatabase { database as! any SQLDatabase }

    private struct Count: Decodable { let n: Int }

    private func count(_ query: SQLQueryString) async throws -> Int {
        try await sql.preparedFirst(query, decoding: Count.self)?.n ?? 0
    }

    /// Uploads this user previewed but did not import (kept a day, then removed): failed
    /// checks or a forgotten 导入 button.
    func unfinishedImports() async throws -> [Item] {
        struct Row: Decodable { let kind: String; let file_name: String }
        let rows = try await sql.preparedAll(
            "SELECT kind, file_name FROM import_uploads WHERE \(TodoBadge.unfinishedImports(user: user.id, now: now)) ORDER BY id DESC", decoding: Row.self)
        return Dictionary(grouping: rows, by: \.kind).sorted { $0.key < $1.key }.compactMap { kind, rows in
            guard let route = TodoBadge.importRoutes[kind] else { return nil }
            let names = rows.prefix(3).map(\.file_name).joined(separator: "、") + (rows.count > 3 ? " 等" : "")
            return item("导入未完成：\(TodoBadge.importTitles[kind] ?? kind)", "已上传未导入（检查出错或未点导入）：\(names)；24 小时后自动删除",
                        count: rows.count, url: .imports(.form(route)), deadline: nil)
        }
    }

    /// Background jobs this user started that failed this week, each with its reason; its page
    /// offers 重试 where the job may simply run again.
    func failedJobs() async throws -> [Item] {
        struct Row: Decodable { let id: Int; let kind: String; let error: String?; let retryable: Bool }
        let rows = try await sql.preparedAll("""
            SELECT id, kind, error, retryable FROM jobs WHERE \(TodoBadge.failedJobs(user: user.id, now: now)) ORDER BY id DESC
            """, decoding: Row.self)
        return rows.map { row in
            let kind = JobKind.named(row.kind)
            let next = row.retryable && kind != nil ? "可在任务页点“重试”" : "请回到原页面重新发起"
            return item("后台任务未完成：\(kind?.label ?? row.kind)（任务 \(row.id)）", "原因：\(row.error ?? "未注明")；\(next)",
                        count: 1, url: .jobs(.page(.value(row.id))), deadline: nil)
        }
    }

    /// A county's reissue requests to check and statements it writes itself (the teacher's
    /// institution has no account), and transfers it is to receive: three counts in one query.
    func countyWork(_ county: Region) async throws -> [Item] {
        struct Counts: Decodable { let check: Int; let statements: Int; let transfers: Int }
        let counts = try await sql.preparedFirst("""
            SELECT (SELECT COUNT(*) FROM reissue_requests r WHERE \(TodoBadge.reissueCheck(county: county.code))) AS "check",
                   (SELECT COUNT(*) FROM reissue_requests r WHERE \(TodoBadge.countyStatements(county: county.code))) AS statements,
                   (SELECT COUNT(*) FROM teacher_transfers x WHERE \(TodoBadge.transfersIn(county: county.code))) AS transfers
            """, decoding: Counts.self)
        var items: [Item] = []
        if let check = counts?.check, check > 0 { items.append(item("证书补发申请待县级审核", count: check, url: .reissue(.page()), deadline: nil)) }
        if let statements = counts?.statements, statements > 0 {
            items.append(item("证书补发：待代录情况说明", "该教师的培训机构未开通账户，由县级代录情况说明", count: statements, url: .reissue(.page()), deadline: nil))
        }
        if let transfers = counts?.transfers, transfers > 0 { items.append(item("教师调动待本县接收", count: transfers, url: .teachers(.transfers), deadline: nil)) }
        return items
    }

    /// The province's lists proposed by institutions, waiting for review.
    func proposedListsToReview() async throws -> [Item] {
        let waiting = try await count("SELECT COUNT(*) AS n FROM proposed_lists l WHERE \(TodoBadge.proposalsWaiting)")
        guard waiting > 0 else { return [] }
        return [item("待审核：培训机构上报的合格名单", "审核后发布到各县核实，或退回培训机构", count: waiting,
                     url: .institutions(.proposals), deadline: nil)]
    }

    /// An institution's lists sent back (the latest of their project and year) and the reissue
    /// statements it is asked for.
    func institutionWork() async throws -> [Item] {
        var items: [Item] = []
        struct Returned: Decodable { let id: Int; let name: String; let year: Int; let returned_reason: String? }
        for row in try await sql.raw("""
            SELECT l.id, p.name, l.year, l.returned_reason FROM proposed_lists l JOIN projects p ON p.id = l.project_id
            WHERE \(TodoBadge.returnedLists(institution: user.id)) ORDER BY l.id
            """).all(decoding: Returned.self) {
            items.append(item("合格名单已退回：\(row.name)（\(row.year)年）", "退回原因：\(row.returned_reason ?? "未注明")；请修改后重新上报",
                              count: 1, url: .institutions(.proposal(.value(row.id))), deadline: nil))
        }
        let statements = try await count("SELECT COUNT(*) AS n FROM reissue_requests r WHERE \(TodoBadge.institutionStatements(institution: user.id))")
        if statements > 0 {
            items.append(item("证书补发：待出具情况说明", "本机构项目学员的补发申请", count: statements, url: .reissue(.page()), deadline: nil))
        }
        return items
    }
}
