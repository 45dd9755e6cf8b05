import Fluent
import Foundation
import PeixunCore
import Vapor

/// One unit's project contact for one year (附件4 项目联系人信息表): a city's or a county's
/// responsible department and person. The year is the approval subject (`contacts` workflow).
final class ContactModel: Model, @unchecked Sendable {
    static let schema = "contacts"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "year") var year: Int
    @Field(key: "region_code") var regionCode: String
    @Field(key: "department") var department: String
    @Field(key: "person") var person: String
    @Field(key: "title") var title: String
    @Field(key: "office_phone") var officePhone: String
    @Field(key: "mobile") var mobile: String
    @Field(key: "email") var email: String
    @Field(key: "updated_by") var updatedBy: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var details: ContactDetails {
        ContactDetails(department: department, person: person, title: title, officePhone: officePhone, mobile: mobile, email: email)
    }

    func set(_ details: ContactDetails) {
        department = details.department
        person = details.person
        title = details.title
        officePhone = details.officePhone
        mobile = details.mobile
        email = details.email
    }
}

/// A contact is answered as it is stored.
extension ContactDetails: Content {}

extension CurrentUser {
    /// `code`, or the top of the user's tree when none is given, if the user may see it;
    /// anything else is "not found", as everywhere.
    func visibleRegion(_ code: String?, in regions: RegionDirectory) throws -> Region {
        let code = code.flatMap { $0.isEmpty ? nil : $0 } ?? scope.root(in: regions)
        guard let code, let region = regions.region(code: code), scope.contains(regionCode: code, in: regions) else {
            throw AppError.notFound("地区")
        }
        return region
    }
}
