import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import Vapor

/// What an uploaded Appendix 3 would change: every county's differing numbers, platform
/// answer and remarks, the rows that could not be read, and the counties that cannot change
/// because they (or the city) have submitted. Applied only when nothing is refused.
struct PlanImportDTO: Content {
    struct Change: Content, Equatable {
        let code: String
        let name: String
        let field: String
        let before: String
        let after: String
    }

    let year: Int
    let region: ProgressDTO.RegionRef
    let fileName: String
    let changes: [Change]
    let issues: [PlanSheet.Issue]
    /// Counties with changes that are submitted (or whose city is): send them back first.
    let locked: [String]
    let applied: Bool
    /// The stored upload a page applies later.
    var uploadID: Int?
}

extension PlanBook {
    static let maxUpload: ByteCount = "4mb"

    /// The city's uploaded sheet compared with the stored plans; with `apply`, written in one
    /// transaction (refused while anything is refused), one audit entry per county changed.
    func importSheet(year: Int, city code: String, url: URL, fileName: String, apply: Bool) async throws -> PlanImportDTO {
        let city = try region(code)
        guard city.level == .city, user.role == .city || user.role == .province else { throw AppError.notFound("市(州)") }
        let rows: [[String]]
        do {
            rows = try PlanWorkbook.readCells(url: url, fileName: fileName)
        } catch let error as SheetError {
            throw AppError(.unprocessableEntity, code: error.code.rawValue, error.message)
        }
        let parsed = PlanSheet.parse(rows)
        var issues = parsed.issues
        var entries: [(Region, PlanEntry)] = []
        var seen = Set<String>()
        for line in parsed.lines {
            guard let county = regions.resolve(line.county, within: city.code, level: .county).region else {
                issues.append(.init(row: line.row, message: "“\(line.county.prefix(20))”不是\(city.name)的县(市、区)"))
                continue
            }
            guard seen.insert(county.code).inserted else {
                issues.append(.init(row: line.row, message: "\(county.name)在表中出现了不止一次"))
                continue
            }
            entries.append((county, line.entry))
        }
        let stored = Dictionary(uniqueKeysWithValues: try await PlanModel.query(on: database).filter(\.$year == year)
            .filter(\.$cityCode == city.code).all().map { ($0.countyCode, $0.entry) })
        let states = try await approvals.states(subject: year, regions: entries.map(\.0.code) + [city.code], on: database)
        var changes: [PlanImportDTO.Change] = []
        var locked: [String] = []
        var changed: [(Region, PlanEntry)] = []
        for (county, entry) in entries {
            let before = stored[county.code] ?? PlanEntry()
            func text(_ value: Int?) -> String { value.map(String.init) ?? "" }
            var mine: [PlanImportDTO.Change] = []
            func compare(_ label: String, _ old: String, _ new: String) {
                if old != new { mine.append(.init(code: county.code, name: county.name, field: label, before: old, after: new)) }
            }
            compare("省级及以上项目需求数", text(before.provincialDemand), text(entry.provincialDemand))
            compare("市县级培训计划数", text(before.localPlan), text(entry.localPlan))
            compare("纳入省级平台", before.usesProvincialPlatform ? "是" : "否", entry.usesProvincialPlatform ? "是" : "否")
            compare("备注", before.remarks, entry.remarks)
            guard !mine.isEmpty else { continue }
            changes += mine
            changed.append((county, entry))
            if states[county.code]?.isEditable != true || states[city.code]?.isEditable != true { locked.append(county.name) }
        }
        let dto = PlanImportDTO(year: year, region: .init(code: city.code, name: city.name), fileName: fileName, changes: changes,
                                issues: issues, locked: locked, applied: apply)
        guard apply else { return dto }
        if !issues.isEmpty {
            throw AppError(.unprocessableEntity, code: "plan.import_issues", "表中有 \(issues.count) 处错误，未导入；请修改后重新上传")
        }
        if !locked.isEmpty {
            throw AppError(.conflict, code: "plan.locked", "以下县(市、区)的计划已提交，不能导入修改：\(locked.joined(separator: "、"))；请先退回")
        }
        let toWrite = changed, differences = changes
        try await database.transaction { db in
            for (county, entry) in toWrite {
                try await store(entry, year: year, county: county, on: db)
                var audit: [String: AuditLog.Change] = [:]
                for change in differences where change.code == county.code { audit[change.field] = .init(before: change.before, after: change.after) }
                try await AuditLog.record(on: db, actor: actor, action: .import, objectType: "plan", objectID: String(year),
                                          countyCode: county.code, cityCode: city.code, changes: audit,
                                          summary: "从“\(fileName.prefix(60))”导入\(county.name)\(year)年培训计划")
            }
        }
        return dto
    }
}
