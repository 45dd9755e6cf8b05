import Fluent
import Foundation
import PeixunCore
import SQLKit

/// Whom a teacher calls: the county's project contact (附件4), or its city's when the county
/// has none; the latest year's.
struct WhomToCall: Sendable {
    let region: Region
    let contact: ContactDetails
    /// True when the county had none and this is its city's.
    let isCity: Bool

    /// The `contacts.id` to show for a county and its city given as SQL expressions (bound
    /// values or another table's columns): the county's latest, else the city's latest. One
    /// subquery, so that a page that knows the teacher can join it instead of asking twice.
    static func contactID(county: SQLQueryString, city: SQLQueryString) -> SQLQueryString {
        """
        (SELECT wc.id FROM contacts wc WHERE wc.region_code IN (\(county), \(city))
         ORDER BY CASE WHEN wc.region_code = \(county) THEN 0 ELSE 1 END, wc.year DESC LIMIT 1)
        """
    }

    /// The columns of `contacts c` the sentence needs, as `Row` decodes them.
    static let columns: SQLQueryString = "c.region_code AS contact_region, c.department AS contact_department, c.person AS contact_person, c.title AS contact_title, c.office_phone AS contact_office_phone, c.mobile AS contact_mobile, c.email AS contact_email"

    /// The contact's columns of a row selected with `columns` (all nil when there is none).
    struct Row: Decodable {
        let contact_region: String?
        let contact_department: String?
        let contact_person: String?
        let contact_title: String?
        let contact_office_phone: String?
        let contact_mobile: String?
        let contact_email: String?

        func whomToCall(county: String, regions: RegionDirectory) -> WhomToCall? {
            guard let code = contact_region, let region = regions.region(code: code) else { return nil }
            return WhomToCall(region: region, contact: ContactDetails(
                department: contact_department ?? "", person: contact_person ?? "", title: contact_title ?? "",
                officePhone: contact_office_phone ?? "", mobile: contact_mobile ?? "", email: contact_email ?? ""), isCity: code != county)
        }
    }

    static func forCounty(_ countyCode: String, regions: RegionDirectory, on database: any Database) async throws -> WhomToCall? {
        guard let county = regions.region(code: countyCode) else { return nil }
        let city = regions.parent(of: county)?.code ?? county.code
        let row = try await (database as! any SQLDatabase).raw("""
            SELECT \(columns) FROM contacts c WHERE c.id = \(contactID(county: "\(bind: county.code)", city: "\(bind: city)"))
            """).first(decoding: Row.self)
        return row?.whomToCall(county: county.code, regions: regions)
    }

    /// "请联系锦江区教育局教师工作科 张伟，办公电话 028-86112233。" (the department as written,
    /// with the unit's name in front unless it already names it).
    var sentence: String {
        let department = contact.department.contains(region.name) ? contact.department : region.name + contact.department
        return "请联系\(department) \(contact.person)，办公电话 \(contact.officePhone)。"
    }
}
