import Fluent
import Foundation
import PeixunCore

/// Whom a teacher calls: the county's project contact (附件4), or its city's when the county
/// has none; the latest year's.
struct WhomToCall: Sendable {
    let region: Region
    let contact: ContactDetails
    /// True when the county had none and this is its city's.
    let isCity: Bool

    static func forCounty(_ countyCode: String, regions: RegionDirectory, on database: any Database) async throws -> WhomToCall? {
        guard let county = regions.region(code: countyCode) else { return nil }
        for (region, isCity) in [(county, false)] + (regions.parent(of: county).map { [($0, true)] } ?? []) {
            if let row = try await ContactModel.query(on: database).filter(\.$regionCode == region.code).sort(\.$year, .descending).first() {
                return WhomToCall(region: region, contact: row.details, isCity: isCity)
            }
        }
        return nil
    }

    /// "请联系锦江区教育局教师工作科 张伟，办公电话 028-86112233。" (the department as written,
    /// with the unit's name in front unless it already names it).
    var sentence: String {
        let department = contact.department.contains(region.name) ? contact.department : region.name + contact.department
        return "请联系\(department) \(contact.person)，办公电话 \(contact.officePhone)。"
    }
}
