/// Who may create, edit or disable whom: only users strictly below one's own scope
/// (a city user manages its counties' users, never another city's or the province's).
public enum AccountPolicy {
    public struct Actor: Sendable {
        public let role: Role
        public let regionCode: String?

        public init(role: Role, regionCode: String?) {
            self.role = role
            self.regionCode = regionCode
        }
    }

    /// The roles an actor may create: none without a scope; institutions and reviewers, which
    /// belong to no region, only from the top of the tree.
    public static func creatableRoles(by actor: Actor, in directory: RegionDirectory) -> [Role] {
        let scope = RegionScope(role: actor.role, regionCode: actor.regionCode, teacherID: nil, directory: directory)
        let roles: [Role] = switch actor.role {
        case .province: [.city, .county, .institution, .reviewer, .province]
        case .city: [.county]
        case .county, .institution, .reviewer, .teacher: []
        }
        return scope == .none ? [] : roles.filter { $0.regionLevel != nil || scope == .all }
    }

    public enum Refusal: Error, Sendable, Equatable {
        case roleNotAllowed(Role)
        case regionRequired(Role, Region.Level)
        case regionOutsideScope
        case regionWrongLevel(Role, Region.Level)

        public var message: String {
            switch self {
            case .roleNotAllowed(let role): "您无权创建或管理“\(role.label)”账户"
            case .regionRequired(_, let level): "请选择所属\(level.label)"
            case .regionOutsideScope: "所选行政区划不在您的管辖范围内"
            case .regionWrongLevel(let role, let level): "“\(role.label)”账户应属于\(level.label)一级"
            }
        }
    }

    /// Checks that `actor` may manage a user with `role` in `regionCode`.
    public static func check(actor: Actor, managing role: Role, regionCode: String?, directory: RegionDirectory) throws(Refusal) {
        guard creatableRoles(by: actor, in: directory).contains(role) else { throw .roleNotAllowed(role) }
        guard let level = role.regionLevel else { return }
        guard let regionCode, let region = directory.region(code: regionCode) else { throw .regionRequired(role, level) }
        guard region.level == level else { throw .regionWrongLevel(role, level) }
        let scope = RegionScope(role: actor.role, regionCode: actor.regionCode, teacherID: nil, directory: directory)
        guard scope.contains(regionCode: regionCode, in: directory) else { throw .regionOutsideScope }
        // A province user may create another province user; everyone else only strictly below.
        if actor.role != .province, regionCode == actor.regionCode { throw .regionOutsideScope }
    }
}

/// What a password must be: long enough and not trivially guessable.
public enum PasswordPolicy {
    public static let minimumLength = 10

    public static func problems(password: String, username: String) -> [String] {
        var problems: [String] = []
        if password.count < minimumLength { problems.append("密码至少需要\(minimumLength)个字符") }
        let hasLetter = password.contains { $0.isLetter }
        let hasDigit = password.contains { $0.isNumber }
        if !(hasLetter && hasDigit) { problems.append("密码须同时包含字母和数字") }
        if !username.isEmpty, password.lowercased().contains(username.lowercased()) { problems.append("密码不能包含用户名") }
        return problems
    }
}
