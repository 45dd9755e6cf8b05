import Fluent
import Foundation
import PeixunCore

/// The paper form's own line — (盖章) · 填表人 · 联系电话 — for a unit's table: the filler is the
/// user who submits or exports it, the phone the unit's project contact (附件4) of the year, or
/// of the latest year it has one: its office phone, else its mobile.
enum FormLines {
    static func phone(of region: Region, year: Int? = nil, on database: any Database) async throws -> String {
        var query = ContactModel.query(on: database).filter(\.$regionCode == region.code)
        if let year { query = query.filter(\.$year <= year) }
        guard let contact = try await query.sort(\.$year, .descending).first() else { return "" }
        return contact.officePhone.isEmpty ? contact.mobile : contact.officePhone
    }
}
