import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// 培训机构: the province links an institution to its projects; the institution proposes the
/// qualified list of its own project (another's is refused); the province sends it back or
/// publishes it to the counties; the institution follows the verification per county.
@Suite struct InstitutionTests {
    static func id(_ body: String) -> String { ResidentID.completing(body: body).value }

    /// Two teachers of 锦江区, one of 青羊区, one without a county, one bad ID.
    static let list = """
        序号,县(市、区),所在学校,教师姓名,身份证号码
        1,锦江区,锦江区实验小学,张伟,\(id("51010419850101001"))
        2,青羊区,青羊区实验小学,李娜,\(id("51010519860202002"))
        3,锦江区,锦江区实验小学,王芳,\(id("51010419870303003"))
        4,火星区,某校,孙丽,\(id("51010419890505005"))
        5,锦江区,锦江区实验小学,<script>钱进</script>,51010419900606
        """

    func project(_ app: Application, _ name: String) async throws -> Int {
        try #require(try await ProjectModel.query(on: app.db).filter(\.$name == name).first()?.id)
    }

    func userID(_ app: Application, _ username: String) async throws -> Int {
        try #require(try await UserModel.query(on: app.db).filter(\.$username == username).first()?.id)
    }

    func send(_ app: Application, _ method: HTTPMethod, _ path: String, as username: String, _ body: [String: Int]? = nil,
              status: HTTPStatus = .ok) async throws -> String {
        var text = ""
        try await app.testing().test(method, path, headers: try await TestUsers.bearer(app, username), beforeRequest: {
            if let body { try $0.content.encode(body, as: .json) }
        }) { response in
            #expect(response.status == status, "\(method) \(path) as \(username): \(response.body.string)")
            text = response.body.string
        }
        return text
    }

    func upload(_ app: Application, project: Int, as username: String = "jigou", status: HTTPStatus = .ok) async throws -> String {
        var text = ""
        try await app.testing().test(.POST, "/api/v1/institution/import?projectID=\(project)&year=2016&dryRun=false&skipInvalid=true",
                                     headers: try await TestUsers.bearer(app, username), beforeRequest: { request in
            request.headers.add(name: "X-File-Name", value: "list.csv")
            request.body = ByteBuffer(string: Self.list)
        }) { response in
            #expect(response.status == status, "\(response.body.string)")
            text = response.body.string
        }
        return text
    }

    func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T { try JSONDecoder().decode(T.self, from: Data(text.utf8)) }

    func board(_ app: Application, as username: String) async throws -> TodoBoard.Board {
        try decode(TodoBoard.Board.self, try await send(app, .GET, "/api/v1/todo", as: username))
    }

    @Test func anInstitutionProposesItsOwnListTheProvincePublishesItAndTheInstitutionFollowsEachCounty() async throws {
        try await withTestApp(demo: .small) { app in
            let mobile = try await project(app, "中国移动中小学教师信息技术能力培训")
            let telecom = try await project(app, "中国电信中小学校长信息技术应用能力提升项目")
            let jigou = try await userID(app, "jigou")
            _ = try await send(app, .POST, "/api/v1/institutions/\(jigou)/link", as: "sheng", ["projectID": mobile])
            _ = try await send(app, .POST, "/api/v1/institutions/\(jigou)/link", as: "jinjiang", ["projectID": telecom], status: .notFound)

            // Another institution's (here: nobody's) project is refused, and nothing is kept.
            let refused = try await upload(app, project: telecom, status: .notFound)
            #expect(refused.contains("不是本机构的项目"))
            _ = try await upload(app, project: mobile, as: "sheng", status: .notFound)

            let report = try decode(ImportReport.self, try await upload(app, project: mobile))
            #expect(report.committed && report.valid == 4 && Set(report.errors.map(\.row)) == [6])
            #expect(try await IntegrationBatchModel.query(on: app.db).count() == 0, "nothing reaches the counties before the province publishes")

            var proposals = try decode([ProposedLists.ProposalDTO].self, try await send(app, .GET, "/api/v1/proposals", as: "jigou"))
            #expect(proposals.count == 1 && proposals[0].isWaiting && proposals[0].valid == 4 && proposals[0].refusedRows == 1)
            _ = try await send(app, .GET, "/api/v1/proposals", as: "jinjiang", status: .notFound)
            let first = proposals[0].id
            let detail = try decode(ProposedLists.DetailDTO.self, try await send(app, .GET, "/api/v1/proposals/\(first)", as: "sheng"))
            #expect(detail.counties.first { $0.countyCode == "510104" }?.count == 2)
            #expect(detail.counties.first { $0.countyCode == "510105" }?.count == 1)
            #expect(detail.counties.first { $0.countyCode == nil }?.count == 1, "火星区 waits in the province's triage")
            #expect(Set(detail.errors.map(\.row)) == [6] && detail.rows.count == 4 && detail.mayDecide)
            let mine = try decode(ProposedLists.DetailDTO.self, try await send(app, .GET, "/api/v1/proposals/\(first)", as: "jigou"))
            #expect(!mine.mayDecide)

            // The province sends it back; the institution sees why, proposes again.
            var province = try await board(app, as: "sheng")
            #expect(province.items.contains { $0.title.contains("培训机构上报的合格名单") && $0.count == 1 })
            _ = try await send(app, .POST, "/api/v1/proposals/\(first)/publish", as: "jigou", status: .notFound)
            _ = try await send(app, .POST, "/api/v1/proposals/\(first)/send-back", as: "sheng", ["reason": 1], status: .badRequest)
            try await app.testing().test(.POST, "/api/v1/proposals/\(first)/send-back", headers: try await TestUsers.bearer(app, "sheng"),
                                         beforeRequest: { try $0.content.encode(["reason": "请补充学校名称"], as: .json) }) {
                #expect($0.status == .ok, "\($0.body.string)")
            }
            var institution = try await board(app, as: "jigou")
            #expect(institution.items.contains { $0.title.contains("合格名单已退回") && $0.detail?.contains("请补充学校名称") == true })
            #expect(institution.waiting >= 1)
            _ = try await upload(app, project: mobile)
            institution = try await board(app, as: "jigou")
            #expect(!institution.items.contains { $0.title.contains("合格名单已退回") }, "proposed again")

            proposals = try decode([ProposedLists.ProposalDTO].self, try await send(app, .GET, "/api/v1/proposals", as: "sheng"))
            let second = try #require(proposals.first { $0.isWaiting }).id
            _ = try await send(app, .POST, "/api/v1/proposals/\(second)/publish", as: "sheng")
            _ = try await send(app, .POST, "/api/v1/proposals/\(second)/publish", as: "sheng", status: .conflict)
            province = try await board(app, as: "sheng")
            #expect(!province.items.contains { $0.title.contains("培训机构上报的合格名单") })

            // Published exactly as a province import: the counties see their entries.
            let batch = try #require(try await IntegrationBatchModel.query(on: app.db).filter(\.$projectID == mobile).first())
            #expect(batch.year == 2016)
            let jinjiang = try decode(IntegrationController.CountyDTO.self, try await send(app, .GET, "/api/v1/integration/\(batch.id!)/entries", as: "jinjiang"))
            #expect(jinjiang.entries.map(\.name) == ["张伟", "王芳"])
            try await app.testing().test(.POST, "/api/v1/integration/entries/\(jinjiang.entries[0].id)/verify", headers: try await TestUsers.bearer(app, "jinjiang"),
                                         beforeRequest: { try $0.content.encode(["certificateNumber": "YD2016-0001"], as: .json) }) {
                #expect($0.status == .ok, "\($0.body.string)")
            }

            let progress = try decode([InstitutionProgress.ProjectProgress].self, try await send(app, .GET, "/api/v1/institution/verification", as: "jigou"))
            let figures = try #require(progress.first { $0.batchID == batch.id! })
            let jj = try #require(figures.counties.first { $0.countyCode == "510104" })
            #expect(jj.listed == 2 && jj.verified == 1 && jj.waiting == 1 && jj.rejected == 0 && jj.verifiedPercent == "50.0%")
            #expect(figures.counties.first { $0.countyCode == "510105" }?.waiting == 1 && figures.total.listed == 4)
            _ = try await send(app, .GET, "/api/v1/institution/verification", as: "jinjiang", status: .notFound)

            // Unlinked, the institution sees none of it any more.
            _ = try await send(app, .POST, "/api/v1/institutions/\(jigou)/unlink", as: "sheng", ["projectID": mobile])
            #expect(try decode([InstitutionProgress.ProjectProgress].self, try await send(app, .GET, "/api/v1/institution/verification", as: "jigou")).isEmpty)
            _ = try await send(app, .GET, "/api/v1/proposals/\(second)", as: "jigou", status: .notFound)

            let audit = try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "proposed_list").all().map(\.action)
            #expect(audit.sorted() == ["approve", "reject", "submit", "submit"])
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "qualified_list").count() == 1)
        }
    }

    @Test func theInstitutionsPagesAndTheProvincesLinksPageRender() async throws {
        try await withTestApp(demo: .small) { app in
            let mobile = try await project(app, "中国移动中小学教师信息技术能力培训")
            let jigou = try await userID(app, "jigou")
            let province = try await TestUsers.session(app, "sheng")
            try await app.testing().test(.GET, "/institutions", headers: province.headers) { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("<h1>培训机构与项目</h1>") && response.body.string.contains("jigou"))
            }
            try await app.testing().test(.POST, "/institutions/\(jigou)/link", headers: province.headers, beforeRequest: {
                try $0.content.encode(["_csrf": province.csrf, "projectID": String(mobile)], as: .urlEncodedForm)
            }) { #expect($0.status == .seeOther, "\($0.body.string)") }
            try await app.testing().test(.GET, "/institutions", headers: province.headers) { response in
                let html = response.body.string
                #expect(html.contains("data-confirm=\"解除") && html.contains("中国移动中小学教师信息技术能力培训（2014–2017）"))
            }
            let before = try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "user").count()
            try await app.testing().test(.POST, "/institutions/\(jigou)/link", headers: province.headers, beforeRequest: {
                try $0.content.encode(["_csrf": province.csrf, "projectID": String(mobile)], as: .urlEncodedForm)
            }) { #expect($0.status == .conflict && $0.body.string.contains("已关联")) }
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$objectType == "user").count() == before, "a refused link changes nothing")

            let county = try await TestUsers.session(app, "jinjiang")
            try await app.testing().test(.GET, "/institutions", headers: county.headers) { #expect($0.status == .notFound) }
            try await app.testing().test(.GET, "/proposals", headers: county.headers) { #expect($0.status == .notFound) }

            let institution = try await TestUsers.session(app, "jigou")
            for (path, text) in [("/institution/import", "上报合作项目合格人员名单"), ("/proposals", "本机构还没有上报名单"),
                                 ("/institution/verification", "还没有发布到各县的名单"), ("/todo", "<h1>待办事项</h1>")] {
                try await app.testing().test(.GET, path, headers: institution.headers) { response in
                    #expect(response.status == .ok, "\(path)")
                    #expect(response.body.string.contains(text), "\(path)")
                    #expect(response.body.string.contains("合格名单上报") && response.body.string.contains("核实进度"), "the institution's menu")
                }
            }
            try await app.testing().test(.GET, "/institution/import", headers: institution.headers) {
                #expect($0.body.string.contains("<option value=\"\(mobile)\">中国移动"))
                #expect(!$0.body.string.contains("中国电信中小学校长"), "only its own projects to choose from")
            }
            try await app.testing().test(.GET, "/", headers: institution.headers) { #expect($0.headers.first(name: .location) == "/todo") }
            _ = try await upload(app, project: mobile)
            let id = try #require(try await ProposedListModel.query(on: app.db).first()?.id)
            try await app.testing().test(.GET, "/proposals/\(id)", headers: province.headers) { response in
                let html = response.body.string
                #expect(response.status == .ok && html.contains("发布到各县核实") && html.contains("锦江区") && html.contains("省级待分配"))
                #expect(html.contains("&lt;script&gt;") || !html.contains("<script>钱进"), "hostile names are escaped")
                #expect(html.contains("data-confirm=\"把“中国移动"))
            }
            try await app.testing().test(.GET, "/proposals/\(id)/errors.xlsx", headers: institution.headers) { response in
                #expect(response.status == .ok && response.body.readableBytes > 1000)
            }
            try await app.testing().test(.POST, "/proposals/\(id)/publish", headers: province.headers, beforeRequest: {
                try $0.content.encode(["_csrf": province.csrf], as: .urlEncodedForm)
            }) { #expect($0.status == .seeOther) }
            try await app.testing().test(.GET, "/institution/verification", headers: institution.headers) { response in
                #expect(response.body.string.contains("锦江区") && response.body.string.contains("0.0%"))
            }
        }
    }
}
