import PeixunCore
import Vapor

/// The authenticated person behind a request, however they authenticated.
struct CurrentUser: Sendable {
    enum Channel: Sendable { case session, token }

    let id: Int
    let username: String
    let displayName: String
    let role: Role
    let regionCode: String?
    let teacherID: Int?
    let channel: Channel
    let mustChangePassword: Bool
    /// What this user may see, derived once from the account and the region tree it is served from.
    let scope: RegionScope

    init(id: Int, username: String, displayName: String, role: Role, regionCode: String?, teacherID: Int?,
         channel: Channel, mustChangePassword: Bool, regions: RegionDirectory) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.role = role
        self.regionCode = regionCode
        self.teacherID = teacherID
        self.channel = channel
        self.mustChangePassword = mustChangePassword
        scope = RegionScope(role: role, regionCode: regionCode, teacherID: teacherID, directory: regions)
    }

    /// The province office at the top of the tree — Sichuan's, or 全国's above several
    /// provinces (`peixun demo --scale N`). Only it changes what the whole tree shares: the
    /// projects and their institutions, the deadlines, everyone's jobs. A province account below
    /// 全国 acts on its own province's data like any office on its subtree, and no further.
    var isTopOffice: Bool { role == .province && scope == .all }

    /// Refuses what only the top office does (`action`, e.g. "修改报送截止日期"), in words that
    /// fit who asks: a province office below 全国 is one, and is told who does it instead.
    func requireTopOffice(code: String, _ action: String) throws {
        guard !isTopOffice else { return }
        throw AppError(.forbidden, code: code, role == .province && scope != .none
            ? "\(action)由全国执行办统一办理，本账户只管理本省" : "只有省执行办可以\(action)")
    }

    init(_ user: UserModel, channel: Channel, regions: RegionDirectory) throws {
        id = user.id!
        username = user.username
        displayName = user.displayName
        role = try user.storedRole()
        regionCode = user.regionCode
        teacherID = user.teacherID
        mustChangePassword = user.mustChangePassword
        self.channel = channel
        scope = user.scope(in: regions)
    }
}

/// The session found for this request (possibly anonymous).
struct SessionState: Sendable {
    let id: Int
    let csrfToken: String
    let userID: Int?
    /// When the session ends unless it is used again: the server's truth the idle warning shows.
    var expiresAt: Date? = nil
}

private struct CurrentUserKey: StorageKey { typealias Value = CurrentUser }
private struct SessionStateKey: StorageKey { typealias Value = SessionState }

extension Request {
    var currentUser: CurrentUser? {
        get { storage[CurrentUserKey.self] }
        set { storage[CurrentUserKey.self] = newValue }
    }

    var sessionState: SessionState? {
        get { storage[SessionStateKey.self] }
        set { storage[SessionStateKey.self] = newValue }
    }

    func requireUser() throws -> CurrentUser {
        guard let user = currentUser else { throw AppError(.unauthorized, code: "unauthorized", "请先登录") }
        return user
    }

    /// The region subtree this request may see; anonymous requests see nothing.
    var scope: RegionScope { currentUser?.scope ?? .none }

    /// The client's address. `X-Forwarded-For` is believed only behind a configured proxy,
    /// or anyone could dodge the login throttle by sending a new one each time.
    var clientAddress: String {
        if application.config.trustProxy,
           let forwarded = headers.first(name: "X-Forwarded-For")?.split(separator: ",").last {
            return forwarded.trimmingCharacters(in: .whitespaces)
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }
}
