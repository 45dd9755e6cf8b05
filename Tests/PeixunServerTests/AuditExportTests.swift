import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// 导出审计日志: the file holds what the page shows — the user's scope, the page's filters —
/// and is cut at `exportLimit` entries, saying so.
@Suite struct AuditExportTests {
    static func record(_ app: Application, city: String?, county: String? = nil, action: AuditLog.Action = .update, summary: String) async throws {
        let actor = AuditLog.Actor(userID: nil, username: "tester", address: "127.0.0.1")
        try await AuditLog.record(on: app.db, actor: actor, action: action, objectType: "teacher", objectID: "1",
                                  countyCode: county, cityCode: city, summary: summary)
    }

    static func csv(_ app: Application, _ query: String, as username: String) async throws -> (lines: [String], truncated: String?) {
        var result: ([String], String?) = ([], nil)
        try await app.testing().test(.GET, "/audit/export?" + query, headers: try await TestUsers.session(app, username).headers) { response in
            #expect(response.status == .ok, "\(response.text.prefix(300))")
            #expect(response.headers.contentType?.subType == "csv")
            let body = Data(buffer: response.body)
            #expect(body.prefix(3) == Data([0xEF, 0xBB, 0xBF]), "a BOM, so that Excel reads UTF-8")
            result = (String(decoding: body.dropFirst(3), as: UTF8.self).split(separator: "\r\n").map(String.init),
                      response.headers.first(name: AuditController.truncatedHeader))
        }
        return result
    }

    @Test func aCityExportsItsOwnEntriesWithThePageFilters() async throws {
        try await withTestApp { app in
            try await Self.record(app, city: "510100", county: "510104", summary: "锦江区的修改")
            try await Self.record(app, city: "510100", action: .export, summary: "成都市的导出")
            try await Self.record(app, city: "510300", county: "510302", summary: "自流井区的修改")
            try await Self.record(app, city: nil, summary: "省级的修改")

            let all = try await Self.csv(app, "format=csv", as: "chengdu")
            #expect(all.truncated == "false")
            #expect(all.lines.first == AuditController.exportHeaders.joined(separator: ","))
            let body = all.lines.joined(separator: "\n")
            #expect(body.contains("锦江区的修改") && body.contains("成都市的导出"))
            #expect(!body.contains("自流井区") && !body.contains("省级的修改"), "no other city's rows")

            let filtered = try await Self.csv(app, "format=csv&action=update", as: "chengdu")
            #expect(filtered.lines.count == 2 && filtered.lines[1].contains("锦江区的修改"), "\(filtered.lines)")

            let county = try await Self.csv(app, "format=csv", as: "qingyang")
            #expect(county.lines.count == 1, "青羊区 has no entries: \(county.lines)")

            // Exporting is itself logged, in the exporting user's scope.
            let exports = try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "audit_log").all()
            #expect(exports.count == 3 && exports.allSatisfy { $0.action == "export" })
            #expect(exports.filter { $0.cityCode == "510100" }.count == 3)

            try await app.testing().test(.GET, "/audit/export?format=xlsx", headers: try await TestUsers.session(app, "sheng").headers) { response in
                #expect(response.status == .ok)
                #expect(response.headers.contentType?.subType == "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                #expect(Data(buffer: response.body).prefix(2) == Data("PK".utf8))
            }
            try await app.testing().test(.GET, "/audit/export?format=pdf", headers: try await TestUsers.session(app, "sheng").headers) { response in
                #expect(response.status == .badRequest && response.text.contains("格式只能是 xlsx 或 csv"))
            }
            for username in ["jigou", "pingshen"] {
                try await app.testing().test(.GET, "/audit/export?format=csv", headers: try await TestUsers.session(app, username).headers) { response in
                    #expect(response.status == .notFound, "\(username)")
                }
            }
            // The page links both files with its filters.
            try await app.testing().test(.GET, "/audit?action=update&from=2017-01-01", headers: try await TestUsers.session(app, "chengdu").headers) { response in
                #expect(response.text.contains("/audit/export?format=csv&amp;action=update&amp;from=2017-01-01"))
                #expect(response.text.contains("/audit/export?format=xlsx&amp;action=update&amp;from=2017-01-01"))
            }
        }
    }

    @Test func anExportBeyondTheLimitIsCutAndSaysSo() async throws {
        try await withTestApp { app in
            try await Self.record(app, city: "510100", county: "510104", summary: "批量")
            let seed = try #require(try await AuditEntryModel.query(on: app.db).first()?.id)
            let columns = "occurred_at, user_id, username, address, action, object_type, object_id, county_code, city_code, changes, summary"
            try await app.sql.raw("""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(unsafeRaw: String(AuditController.exportLimit)))
                INSERT INTO audit_log (\(unsafeRaw: columns)) SELECT \(unsafeRaw: columns) FROM audit_log, n WHERE id = \(bind: seed)
                """).run()
            let total = AuditController.exportLimit + 1
            try await app.testing().test(.GET, "/audit", headers: try await TestUsers.session(app, "chengdu").headers) { response in
                #expect(response.text.contains("符合条件的记录超过 \(AuditController.exportLimit) 条"))
            }
            let export = try await Self.csv(app, "format=csv", as: "chengdu")
            #expect(export.truncated == "true")
            #expect(export.lines.count == 1 + AuditController.exportLimit + 1)
            #expect(export.lines.last?.contains(AuditController.truncationNote(total: total)) == true, "\(export.lines.last ?? "")")
        }
    }
}
