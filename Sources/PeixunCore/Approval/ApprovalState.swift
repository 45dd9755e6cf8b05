/// Where one unit's report stands at its level (DHIS2's multi-level approval, as the notice's
/// workflows use it): 未提交, 已提交, 已退回 (editable again, with a reason), 已审核 (locked).
public enum ApprovalState: String, Sendable, Codable, CaseIterable {
    case open, submitted, returned, approved

    public var label: String {
        switch self {
        case .open: "未提交"
        case .submitted: "已提交"
        case .returned: "已退回"
        case .approved: "已审核"
        }
    }

    /// Open for changes by its own level.
    public var isEditable: Bool { self == .open || self == .returned }

}

extension RawRepresentable where RawValue == String {
    /// A value read back from storage (a state, a status, a role): an unknown one is an error
    /// that names where it was found, never quietly taken for a default.
    public init(stored: String, at place: @autoclosure () -> String) throws(StoredValueError) {
        guard let value = Self(rawValue: stored) else { throw StoredValueError(value: stored, place: place()) }
        self = value
    }
}

/// A value in the database that the code does not know: a failed migration or a hand edit.
public struct StoredValueError: Error, Sendable, Equatable, CustomStringConvertible {
    public let value: String
    public let place: String

    public init(value: String, place: String) {
        self.value = value
        self.place = place
    }

    public var description: String { "数据库中\(place)的值“\(value.prefix(40))”无法识别，请联系技术支持" }
}

/// The levels a report climbs, lowest first; the last one approves and has no state of its own
/// (county → city → province for the integration, plans and contacts; teacher → county → city
/// → province for a certificate reissue).
public enum ApprovalLevel: String, Sendable, Codable, CaseIterable, Comparable {
    case teacher, county, city, province

    public var label: String {
        switch self {
        case .teacher: "教师"
        case .county: "县(市、区)"
        case .city: "市(州)"
        case .province: "省执行办"
        }
    }

    public static func < (lhs: ApprovalLevel, rhs: ApprovalLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What a level does to a unit's report.
public enum ApprovalEvent: Sendable, Equatable {
    /// The unit's own level hands its report up.
    case submit
    /// The level above returns a submitted report, saying why.
    case sendBack(reason: String)
    /// The approving level accepts a report of the level just below it; it is locked.
    case approve
    /// The approving level takes back its approval; what the approval did is undone.
    case reopen

    public var label: String {
        switch self {
        case .submit: "提交"
        case .sendBack: "退回"
        case .approve: "审核通过"
        case .reopen: "重新打开"
        }
    }

    /// The events without their payload, for tables and tests.
    public enum Kind: String, Sendable, CaseIterable { case submit, sendBack, approve, reopen }

    public var kind: Kind {
        switch self {
        case .submit: .submit
        case .sendBack: .sendBack
        case .approve: .approve
        case .reopen: .reopen
        }
    }
}

/// Why a step is not allowed: a stable code for programs and a sentence for people.
public struct ApprovalRefusal: Error, Sendable, Equatable {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// What the caller may do next with one unit; every page and API response carries it.
public struct ApprovalActions: Sendable, Codable, Equatable {
    /// Change the unit's data (verify entries, edit a plan's figures…).
    public var mayEdit = false
    public var maySubmit = false
    public var maySendBack = false
    public var mayApprove = false
    public var mayReopen = false

    public init(mayEdit: Bool = false, maySubmit: Bool = false, maySendBack: Bool = false, mayApprove: Bool = false, mayReopen: Bool = false) {
        self.mayEdit = mayEdit
        self.maySubmit = maySubmit
        self.maySendBack = maySendBack
        self.mayApprove = mayApprove
        self.mayReopen = mayReopen
    }
}
