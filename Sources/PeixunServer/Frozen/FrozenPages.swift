import Foundation
import PeixunCore

/// `frozen.leaf`: every approved table the user may see.
struct FrozenListPage: Encodable, Sendable {
    struct Row: Encodable, Sendable {
        let title: String
        let kindLabel: String
        let regionName: String
        let approver: String
        let approvedAt: String
        let current: Bool
        let url: String
        let downloadURL: String
    }

    let pageTitle = "已审核表格"
    let rows: [Row]
    let hasRows: Bool
    let apiURL = SiteURL.frozen(.api()).path
    /// The year tabs (`YearTab.bar`); none marked while every year shows (`allURL`).
    let years: [YearTab]
    let allURL: String
    let showsAll: Bool

    init(snapshots: [FrozenController.Summary], years: [YearTab], allURL: String) {
        self.years = years
        self.allURL = allURL
        showsAll = !years.contains(where: \.selected)
        rows = snapshots.map {
            Row(title: $0.title, kindLabel: $0.kindLabel, regionName: $0.region.name, approver: $0.approverName,
                approvedAt: FrozenShowPage.time($0.approvedAt), current: $0.current, url: $0.url, downloadURL: $0.downloadURL)
        }
        hasRows = !rows.isEmpty
    }
}

/// `frozen-show.leaf`: one approved table, what changed since, and the table as approved.
struct FrozenShowPage: Encodable, Sendable {
    struct ChangeRow: Encodable, Sendable {
        let name: String
        let column: String
        let approved: String
        let now: String
        let changed: String
    }

    struct Row: Encodable, Sendable {
        let name: String
        let cells: [String]
        let isTotal: Bool
    }

    let pageTitle: String
    let kindLabel: String
    let regionName: String
    let approver: String
    let approvedAt: String
    let current: Bool
    let reopenedAt: String?
    let changes: [ChangeRow]
    let hasChanges: Bool
    let columns: [String]
    let rows: [Row]
    let downloadURL: String
    let apiURL: String
    let listURL = SiteURL.frozen(.page()).path

    init(_ detail: FrozenController.Detail) {
        let snapshot = detail.snapshot
        pageTitle = snapshot.title
        kindLabel = snapshot.kindLabel
        regionName = snapshot.region.name
        approver = "\(snapshot.approverName)（\(snapshot.approvedBy)）"
        approvedAt = Self.time(snapshot.approvedAt)
        current = snapshot.current
        reopenedAt = snapshot.reopenedAt.map(Self.time)
        changes = detail.changes.map {
            ChangeRow(name: $0.name, column: $0.column, approved: Self.cell($0.approved), now: Self.cell($0.now),
                      changed: Self.changed(by: $0.changedBy, at: $0.changedAt))
        }
        hasChanges = !changes.isEmpty
        columns = detail.columns
        let totalKey = detail.rows.last?.key
        rows = detail.rows.map { Row(name: $0.name, cells: $0.cells, isTotal: $0.key == totalKey) }
        downloadURL = snapshot.downloadURL
        apiURL = SiteURL.frozen(.apiShow(.value(snapshot.id))).path
    }

    static func changed(by: String?, at: Date?) -> String {
        guard let by else { return "—" }
        return by + (at.map { " · " + time($0) } ?? "")
    }

    static func cell(_ value: String?) -> String {
        guard let value else { return "（无此行）" }
        return value.isEmpty ? "（空）" : value
    }

    /// Beijing time, as the offices read it.
    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }
}
