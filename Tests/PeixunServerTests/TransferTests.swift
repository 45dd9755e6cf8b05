import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// 教师调动: within a county at once; across counties only when the receiving county accepts.
@Suite struct TransferTests {
    struct School: Decodable { let id: Int; let name: String; let stage: String }

    func school(_ app: Application, county: String, stage: String = "primarySecondary") async throws -> School {
        try await app.sql.raw("SELECT id, name, stage FROM schools WHERE county_code = \(bind: county) AND stage = \(bind: stage) ORDER BY id LIMIT 1")
            .first(decoding: School.self)!
    }

    func call(_ app: Application, _ path: String, as username: String, _ body: [String: String] = [:],
              status: HTTPStatus) async throws -> TransferController.TransferDTO? {
        let headers = try await TestUsers.bearer(app, username)
        var dto: TransferController.TransferDTO?
        try await app.testing().test(.POST, path, headers: headers, beforeRequest: { try $0.content.encode(body, as: .json) }) { response in
            #expect(response.status == status, "\(path) as \(username): \(response.body.string)")
            if response.status.code < 300 { dto = try response.content.decode(TransferController.TransferDTO.self) }
        }
        return dto
    }

    func firstTeacher(_ app: Application, school: Int) async throws -> TeacherModel {
        try await TeacherModel.query(on: app.db).filter(\.$school.$id == school).sort(\.$id).first()!
    }

    @Test func withinACountyTheMoveIsImmediateAndRecorded() async throws {
        try await withTestApp(demo: .small) { app in
            let from = try await school(app, county: "510104")
            let target = try await school(app, county: "510104", stage: "kindergarten")
            let teacher = try await firstTeacher(app, school: from.id)
            let done = try #require(try await call(app, "/api/v1/teachers/\(teacher.id!)/transfers", as: "jinjiang",
                                                   ["toCounty": "510104", "toSchool": target.name, "note": "交流轮岗"], status: .created))
            #expect(done.status == "accepted" && done.toSchool == target.name && done.fromSchool == from.name)
            let moved = try await TeacherModel.find(teacher.id, on: app.db)!
            #expect(moved.$school.id == target.id && moved.stage == "kindergarten", "the stage follows the school")
            _ = try await call(app, "/api/v1/teachers/\(teacher.id!)/transfers", as: "jinjiang", ["toCounty": "510104", "toSchool": target.name], status: .unprocessableEntity)
            _ = try await call(app, "/api/v1/teachers/\(teacher.id!)/transfers", as: "jinjiang", ["toCounty": "510104"], status: .unprocessableEntity)
            let audit = try await AuditEntryModel.query(on: app.db).filter(\.$action == "transfer").all()
            #expect(audit.count == 1 && audit[0].changes.contains(target.name))
        }
    }

    @Test func acrossCountiesTheReceivingCountyAcceptsOrRejects() async throws {
        try await withTestApp(demo: .small) { app in
            let from = try await school(app, county: "510104")
            let target = try await school(app, county: "510105", stage: "kindergarten")
            let teacher = try await firstTeacher(app, school: from.id)
            let before = (jinjiang: try await report(app, region: "510104").total.total, qingyang: try await report(app, region: "510105").total.total)

            let pending = try #require(try await call(app, "/api/v1/teachers/\(teacher.id!)/transfers", as: "jinjiang",
                                                      ["toCounty": "510105", "note": "夫妻团聚"], status: .created))
            #expect(pending.status == "pending" && pending.mayCancel && !pending.mayAccept)
            #expect(try await TeacherModel.find(teacher.id, on: app.db)!.countyCode == "510104", "still on the sending county's roll")
            _ = try await call(app, "/api/v1/teachers/\(teacher.id!)/transfers", as: "jinjiang", ["toCounty": "510106"], status: .conflict)

            // Only the receiving county decides; others do not even see it.
            _ = try await call(app, "/api/v1/transfers/\(pending.id)/accept", as: "jinjiang", ["school": from.name], status: .forbidden)
            _ = try await call(app, "/api/v1/transfers/\(pending.id)/accept", as: "zigong", ["school": target.name], status: .notFound)
            _ = try await call(app, "/api/v1/transfers/\(pending.id)/accept", as: "qingyang", ["school": "锦江区不存在的学校"], status: .unprocessableEntity)
            _ = try await call(app, "/api/v1/transfers/\(pending.id)/reject", as: "qingyang", [:], status: .unprocessableEntity)
            let accepted = try #require(try await call(app, "/api/v1/transfers/\(pending.id)/accept", as: "qingyang", ["school": target.name], status: .ok))
            #expect(accepted.status == "accepted" && accepted.toSchool == target.name)

            let moved = try await TeacherModel.find(teacher.id, on: app.db)!
            #expect(moved.countyCode == "510105" && moved.cityCode == "510100" && moved.$school.id == target.id && moved.stage == "kindergarten")
            #expect(try await report(app, region: "510104").total.total == before.jinjiang - 1)
            #expect(try await report(app, region: "510105").total.total == before.qingyang + 1)
            _ = try await call(app, "/api/v1/transfers/\(pending.id)/cancel", as: "jinjiang", status: .conflict)

            // Both counties see the history on the teacher's page; the sender no longer reaches the teacher.
            let headers = try await TestUsers.bearer(app, "qingyang")
            try await app.testing().test(.GET, "/api/v1/teachers/\(teacher.id!)", headers: headers) { response in
                let dto = try response.content.decode(TeacherDetailController.TeacherDTO.self)
                #expect(dto.transfers.map(\.status) == ["accepted"])
            }
            try await app.testing().test(.GET, "/api/v1/teachers/\(teacher.id!)", headers: try await TestUsers.bearer(app, "jinjiang")) { response in
                #expect(response.status == .notFound)
            }

            // A second move back is rejected with a reason, then a third is cancelled by the sender.
            let back = try #require(try await call(app, "/api/v1/teachers/\(teacher.id!)/transfers", as: "qingyang", ["toCounty": "510104"], status: .created))
            let rejected = try #require(try await call(app, "/api/v1/transfers/\(back.id)/reject", as: "jinjiang", ["reason": "编制已满"], status: .ok))
            #expect(rejected.status == "rejected" && rejected.decisionReason == "编制已满")
            let again = try #require(try await call(app, "/api/v1/teachers/\(teacher.id!)/transfers", as: "qingyang", ["toCounty": "510104"], status: .created))
            let cancelled = try #require(try await call(app, "/api/v1/transfers/\(again.id)/cancel", as: "qingyang", status: .ok))
            #expect(cancelled.status == "cancelled")
            #expect(try await TeacherModel.find(teacher.id, on: app.db)!.countyCode == "510105")
            let actions = try await AuditEntryModel.query(on: app.db).filter(\.$objectType ~~ ["teacher", "teacher_transfer"])
                .filter(\.$action ~~ ["transfer", "reject", "cancel"]).count()
            #expect(actions == 6, "request, accept, request, reject, request, cancel")

            // The receiving county's page offers the accept form; the sender's page does not.
            let session = try await TestUsers.session(app, "jinjiang")
            let last = try #require(try await call(app, "/api/v1/teachers/\(teacher.id!)/transfers", as: "qingyang", ["toCounty": "510104", "toSchool": from.name], status: .created))
            try await app.testing().test(.GET, "/transfers", headers: session.headers) { response in
                #expect(response.body.string.contains("/transfers/\(last.id)/accept"))
                #expect(response.body.string.contains("编制已满"))
            }
            try await app.testing().test(.GET, "/transfers", headers: try await TestUsers.session(app, "qingyang").headers) { response in
                #expect(!response.body.string.contains("/transfers/\(last.id)/accept"))
                #expect(response.body.string.contains("/transfers/\(last.id)/cancel"))
            }
        }
    }
}
