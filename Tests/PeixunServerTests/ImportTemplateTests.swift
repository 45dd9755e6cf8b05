import Fluent
import Foundation
import PeixunCore
import PeixunSheets
import Testing
import VaporTesting
@testable import PeixunServer

/// 导入模板: each template, downloaded as its user would, goes back through its own importer
/// (the API's dry run) and its example row is accepted with no error and no ignored column.
@Suite struct ImportTemplateTests {
    static func download(_ app: Application, _ kind: ImportTemplate.Kind, as username: String) async throws -> Data {
        var data = Data()
        try await app.testing().test(.GET, kind.url.path, headers: try await TestUsers.bearer(app, username)) { response in
            #expect(response.status == .ok, "\(kind) \(response.text.prefix(200))")
            #expect(response.headers.contentType?.subType == "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(response.headers.first(name: .contentDisposition)?.contains(kind.fileName.replacingOccurrences(of: ".xlsx", with: "")) == true)
            data = Data(buffer: response.body)
        }
        return data
    }

    static func post<T: Decodable>(_ app: Application, _ path: String, as username: String, file: Data, name: String,
                                   _ type: T.Type) async throws -> T? {
        var headers = try await TestUsers.bearer(app, username)
        headers.add(name: "X-File-Name", value: name)
        var result: T?
        try await app.testing().test(.POST, path, headers: headers, beforeRequest: { $0.body = ByteBuffer(data: file) }) { response in
            #expect(response.status == .ok, "\(path): \(response.text.prefix(400))")
            result = try? response.content.decode(T.self)
        }
        return result
    }

    @Test func everyTemplateGoesThroughItsImporterAndTheExampleIsAccepted() async throws {
        try await withTestApp(demo: .small) { app in
            // Roster: a county's template names its own county and one of its schools.
            for user in ["jinjiang", "chengdu", "sheng"] {
                let file = try await Self.download(app, .teachers, as: user)
                let report = try #require(try await Self.post(app, "/api/v1/teachers/import?dryRun=true", as: user, file: file,
                                                              name: "teachers.xlsx", ImportReport.self))
                #expect(report.rows == 1 && report.valid == 1 && report.errors.isEmpty, "\(user): \(report.errors)")
                #expect(report.ignoredColumns.isEmpty && report.newSchools.isEmpty, "\(user): \(report.ignoredColumns)")
            }

            let counts = try await Self.download(app, .officialCounts, as: "zigong")
            let countsReport = try #require(try await Self.post(app, "/api/v1/statistics/import?dryRun=true&year=2015", as: "zigong",
                                                                file: counts, name: "counts.xlsx", ImportReport.self))
            #expect(countsReport.rows == 1 && countsReport.errors.isEmpty && countsReport.ignoredColumns.isEmpty, "\(countsReport.errors)")

            let project = try #require(try await ProjectModel.query(on: app.db).filter(\.$level == TrainingLevel.cooperation.rawValue).first())
            let list = try await Self.download(app, .qualifiedList, as: "sheng")
            let listReport = try #require(try await Self.post(app, "/api/v1/integration/import?dryRun=true&projectID=\(project.id!)&year=\(project.year)",
                                                              as: "sheng", file: list, name: "list.xlsx", ImportReport.self))
            #expect(listReport.rows == 1 && listReport.valid == 1 && listReport.errors.isEmpty && listReport.ignoredColumns.isEmpty,
                    "\(listReport.errors) \(listReport.ignoredColumns)")

            let batch = try await makeIntegrationBatch(app)
            let feedback = try await Self.download(app, .feedback, as: "jinjiang")
            let outcome = try #require(try await Self.post(app, "/api/v1/integration/\(batch.id!)/feedback?dryRun=true", as: "jinjiang",
                                                           file: feedback, name: "feedback.xlsx", FeedbackTable.Outcome.self))
            #expect(outcome.errors.isEmpty && outcome.differences.map(\.code) == ["feedback.added"], "\(outcome)")

            let plan = try await Self.download(app, .plans, as: "chengdu")
            let planImport = try #require(try await Self.post(app, "/api/v1/plans/\(ReportingYears.current + 1)/510100/import?dryRun=true&fileName=plan.xlsx",
                                                              as: "chengdu", file: plan, name: "plan.xlsx", PlanImportDTO.self))
            #expect(planImport.issues.isEmpty && planImport.locked.isEmpty, "\(planImport.issues)")
            #expect(Set(planImport.changes.map(\.code)) == ["510104"] && planImport.changes.contains { $0.after == "290" }, "\(planImport.changes)")

            let titles = try await Self.download(app, .titleCheck, as: "pingshen")
            let verdicts = try #require(try await Self.post(app, "/api/v1/title-check/batch", as: "pingshen", file: titles,
                                                            name: "titles.xlsx", TitleCheckBatch.Outcome.self))
            #expect(verdicts.rows == 1 && verdicts.unchecked == 0 && verdicts.lines.first?.eligible != nil, "\(verdicts.lines)")
        }
    }

    @Test func theExampleIDIsValidAndClearlyMadeUp() throws {
        let county = Region(code: "510302", name: "自流井区", level: .county, parentCode: "510300")
        let city = Region(code: "510300", name: "自贡市", level: .city, parentCode: "510000")
        let template = ImportTemplate(kind: .teachers, place: .init(city: city, county: county, school: "示例小学", stage: .primarySecondary), year: 2016)
        let parsed = try ResidentID.parse(template.residentID.value, today: CivilDate(year: 2017, month: 1, day: 1)!)
        #expect(parsed.id.areaCode == "510302" && parsed.id.sex == .female && parsed.normalisations.isEmpty)
        #expect(template.content.example[TeacherColumn.allCases.firstIndex(of: .sex)!] == "女")
        // The header is the importer's own, column for column.
        #expect(template.content.headers == TeacherImporter.specs.map(\.label))
        #expect(ImportTemplate(kind: .titleCheck, place: template.place, year: 2016).content.headers == TitleCheckBatch.specs.map(\.label))
    }

    @Test func everyTemplateOpensInLibreOffice() async throws {
        try await withTestApp(demo: .small) { app in
            let directory = NSTemporaryDirectory() + "peixun-templates-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let users: [ImportTemplate.Kind: String] = [.teachers: "jinjiang", .officialCounts: "chengdu", .qualifiedList: "sheng",
                                                        .feedback: "jinjiang", .plans: "chengdu", .titleCheck: "pingshen"]
            for kind in ImportTemplate.Kind.allCases {
                let path = directory + "/" + kind.fileName
                try await Self.download(app, kind, as: users[kind]!).write(to: URL(fileURLWithPath: path))
                let rows = try convertToCSV(path, directory: directory)
                if kind == .plans {
                    #expect(rows.contains { $0.contains("锦江区") && $0.contains("290") }, "\(rows)")
                } else {
                    let content = ImportTemplate(kind: kind, place: .example, year: 2016).content
                    #expect(rows.count == 2 && rows[0] == content.headers, "\(kind): \(rows)")
                    if kind != .officialCounts { #expect(Self.idOf(rows[1]).count == 18, "\(kind): \(rows)") }
                }
            }
        }
    }

    static func idOf(_ row: [String]) -> String { row.first { $0.count == 18 && $0.allSatisfy { $0.isNumber || $0 == "X" } } ?? "" }

    @Test func theTemplatesPageListsWhatTheRoleImportsAndUploadFormsLinkTheirTemplate() async throws {
        try await withTestApp { app in
            let county = try await TestUsers.session(app, "jinjiang")
            try await app.testing().test(.GET, "/templates", headers: county.headers) { response in
                let html = response.text
                #expect(response.status == .ok)
                #expect(html.contains("href=\"/templates/teachers.xlsx\"") && html.contains("href=\"/templates/feedback.xlsx\""))
                #expect(!html.contains("/templates/qualified-list.xlsx") && html.contains("身份证号码"))
            }
            let reviewer = try await TestUsers.session(app, "pingshen")
            try await app.testing().test(.GET, "/templates", headers: reviewer.headers) { response in
                #expect(response.text.contains("/templates/title-check.xlsx") && !response.text.contains("/templates/teachers.xlsx"))
            }
            for (path, template) in [("/teachers/import", "teachers"), ("/statistics/import", "official-counts")] {
                try await app.testing().test(.GET, path, headers: county.headers) { response in
                    #expect(response.text.contains("href=\"/templates/\(template).xlsx\""), "\(path)")
                }
            }
            try await app.testing().test(.GET, "/templates/teachers.xlsx") { response in
                #expect(response.status != .ok, "templates need a sign-in")
            }
        }
    }
}
