import Fluent
import Foundation
import PeixunCore
import Vapor

/// 导出审计日志: what the page shows — the same scope and filters, newest first — as .xlsx or
/// .csv. The file is bounded: at most `exportLimit` entries, read in pages by id so the database
/// never sorts or returns the whole log at once. When the filters match more, the newest
/// `exportLimit` are exported, the file's last line says so, and the page warns before the click.
extension AuditController {
    static let exportLimit = 20_000
    static let exportPageSize = 1_000
    static let exportHeaders = ["时间", "用户", "地址", "操作", "对象", "说明", "变更"]
    /// Response header set when the export was cut at `exportLimit`.
    static let truncatedHeader = "X-Export-Truncated"

    @Sendable func export(request: Request) async throws -> Response {
        let format = try TableDownload.format(request.query[String.self, at: "format"])
        let user = try request.requireUser()
        let (query, _) = try filteredQuery(request)
        let total = try await query.copy().count()
        let formatter = Self.timeFormatter()
        var rows: [[String]] = []
        rows.reserveCapacity(min(total, Self.exportLimit))
        var before: Int?
        while rows.count < Self.exportLimit {
            var page = query.copy().sort(\.$id, .descending)
            if let before { page = page.filter(\.$id < before) }
            let entries = try await page.limit(min(Self.exportPageSize, Self.exportLimit - rows.count)).all()
            for entry in entries {
                let dto = Self.dto(entry, formatter)
                rows.append([dto.time, dto.username, dto.address, dto.actionLabel, dto.objectLabel, dto.summary, dto.changes])
            }
            guard entries.count == Self.exportPageSize, let last = entries.last?.id else { break }
            before = last
        }
        let truncated = total > rows.count
        if truncated {
            rows.append(["（已截断）", "", "", "", "", Self.truncationNote(total: total), ""])
        }
        let audit = AuditLog.regionColumns(user.regionCode, directory: request.application.regions)
        try await AuditLog.record(on: request.db, actor: .init(request), action: .export, objectType: "audit_log", objectID: nil,
                                  countyCode: audit.county, cityCode: audit.city,
                                  summary: "导出审计日志（\(format.rawValue)，\(truncated ? rows.count - 1 : rows.count) 条\(truncated ? "，共 \(total) 条，已截断" : "")）")
        let stamp = request.clock.today().description
        let response = try TableDownload(
            title: "审计日志（导出于 \(stamp)）", sheetName: "审计日志", headers: Self.exportHeaders,
            widths: [20, 14, 16, 12, 22, 50, 50], rows: rows,
            fileName: "审计日志-\(stamp)", asciiFileName: "audit-\(stamp)"
        ).response(format)
        response.headers.replaceOrAdd(name: Self.truncatedHeader, value: truncated ? "true" : "false")
        return response
    }

    static func truncationNote(total: Int) -> String {
        "符合条件的记录共 \(total) 条，导出最多 \(exportLimit) 条，只导出了最新的 \(exportLimit) 条；请缩小日期范围后分次导出。"
    }
}
