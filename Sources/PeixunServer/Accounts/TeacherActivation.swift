import Fluent
import Foundation
import PeixunCore
import Vapor

/// 首次登录: a teacher proves who they are with name + resident ID + the mobile number on
/// record, and sets a password. The resident ID becomes the username.
struct TeacherActivation {
    struct Refusal: Error {
        let status: HTTPResponseStatus
        let messages: [String]
    }

    let request: Request

    func activate(_ form: AccountController.ActivationForm) async throws -> UserModel {
        let address = request.clientAddress
        let throttle = LoginThrottle(database: request.db, clock: request.clock)
        let parsed = try? ResidentID.parse(form.residentID, today: request.clock.today())
        let username = parsed?.id.value ?? form.residentID.trimmingCharacters(in: .whitespaces)
        var problems: [String] = []
        if form.password != form.confirm { problems.append("两次输入的密码不一致") }
        problems += PasswordPolicy.problems(password: form.password, username: username)
        guard let id = parsed?.id else {
            throw Refusal(status: .unprocessableEntity, messages: ["身份证号码无效，请核对"] + problems)
        }
        guard problems.isEmpty else { throw Refusal(status: .unprocessableEntity, messages: problems) }
        // Counted as a failure until it succeeds, before the registry is asked (see LoginThrottle).
        guard let reservation = try await throttle.reserve(username: username, address: address) else {
            throw Refusal(status: .tooManyRequests, messages: [LoginThrottle.message])
        }

        let teacher = try await TeacherModel.query(on: request.db).filter(\.$residentID == id.value).first()
        let mobile = form.mobile.filter(\.isNumber)
        // One message for every mismatch, so that the form cannot be used to probe the registry.
        guard let teacher, teacher.name == ((try? PersonName.check(form.name).get()) ?? ""), let onRecord = teacher.mobile, onRecord == mobile else {
            throw Refusal(status: .unprocessableEntity, messages: ["姓名、身份证号码与登记的手机号码不匹配。如手机号已更换，请联系所在县(市、区)教育局更新"])
        }
        if try await UserModel.query(on: request.db).filter(\.$username == id.value).first() != nil {
            throw Refusal(status: .conflict, messages: ["该教师账户已激活，请直接登录；忘记密码请联系所在县(市、区)教育局重置"])
        }
        let hash = try await request.password.async.hash(form.password)
        return try await request.db.transaction { db in
            let user = UserModel()
            user.username = id.value
            user.displayName = teacher.name
            user.passwordHash = hash
            user.role = Role.teacher.rawValue
            user.regionCode = teacher.countyCode
            user.teacherID = teacher.id
            user.disabled = false
            user.passwordChangedAt = request.clock.now()
            try await user.create(on: db)
            try await LoginThrottle(database: db, clock: request.clock).succeeded(reservation)
            try await AuditLog.record(on: db, actor: .init(userID: user.id, username: user.username, address: address),
                                      action: .activate, objectType: "user", objectID: String(user.id!),
                                      countyCode: teacher.countyCode, cityCode: teacher.cityCode, summary: "教师 \(teacher.name) 首次登录激活")
            return user
        }
    }
}
