import Foundation
import PeixunCore
import PeixunSheets

/// 导入模板: for every import the system accepts, its header exactly as the importer reads
/// it (taken from the importer's own column specs, so the two cannot drift) and one example
/// row in the user's own region, so that the example passes the importer's scope check too.
struct ImportTemplate: Sendable {
    enum Kind: String, CaseIterable, Sendable {
        case teachers, officialCounts, qualifiedList, feedback, plans, titleCheck

        /// The path segment and the downloaded file's name.
        var fileName: String {
            switch self {
            case .teachers: "teachers.xlsx"
            case .officialCounts: "official-counts.xlsx"
            case .qualifiedList: "qualified-list.xlsx"
            case .feedback: "feedback.xlsx"
            case .plans: "plan-appendix3.xlsx"
            case .titleCheck: "title-check.xlsx"
            }
        }

        var title: String {
            switch self {
            case .teachers: "教师名册导入模板"
            case .officialCounts: "专任教师数（教育事业统计）导入模板"
            case .qualifiedList: "合作项目合格人员名单导入模板"
            case .feedback: "参训合格教师信息反馈表模板"
            case .plans: "培训计划及执行情况（附件3）模板"
            case .titleCheck: "职称评审批量核验名单模板"
            }
        }

        /// The name the browser saves it under.
        var downloadName: String { title + ".xlsx" }

        /// Who imports it; others do not see it in their list.
        var roles: [Role] {
            switch self {
            case .teachers, .officialCounts: [.province, .city, .county]
            case .qualifiedList: [.province]
            case .feedback: [.county]
            case .plans: [.province, .city]
            case .titleCheck: [.province, .reviewer]
            }
        }

        /// Where the file is uploaded.
        var uploadURL: SiteURL {
            switch self {
            case .teachers: .imports(.form(.teachers))
            case .officialCounts: .imports(.form(.statistics))
            case .qualifiedList: .imports(.form(.integration))
            case .feedback: .integration(.batches)
            case .plans: .plans(.page())
            case .titleCheck: .certificates(.titleCheck)
            }
        }

        var uploadLabel: String {
            switch self {
            case .teachers: "导入名册"
            case .officialCounts: "专任教师数"
            case .qualifiedList: "导入合格人员名单"
            case .feedback: "项目整合（本县名单页上传反馈表）"
            case .plans: "培训计划（市(州)页面上传附件3）"
            case .titleCheck: "职称评审核验（批量核验）"
            }
        }

        var url: SiteURL { .templates(.file(self)) }
    }

    /// Where the example row is: a county in the user's region and, for a roster, a school of it.
    struct Place: Sendable {
        let city: Region
        let county: Region
        let school: String
        let stage: Stage
    }

    let kind: Kind
    let place: Place
    /// The year the example is about (the reporting year; the plan's year for Appendix 3).
    let year: Int

    /// A clearly made-up person whose ID is valid: born 1986-04-15 in the example county, check digit computed.
    var residentID: ResidentID { ResidentID.completing(body: place.county.code + "19860415" + "102") }
    static let personName = "王晓燕"
    static let phone = "13800001234"

    static let commonNotes = [
        "第 1 行是表头，请勿修改列名；列的顺序可以调整，多余的列会被忽略并在导入预览中列出。",
        "第 2 行是示例，身份证号码为按校验规则生成的示例号码，不是真实人员：填写前请删除或覆盖该行。",
        "身份证号码请按文本填写 18 位（末位可为 X）；从其他表格粘贴时请先把该列设为“文本”格式，以免变成科学计数法。",
        "可保存为 .xlsx、.xls 或 .csv（UTF-8 或 GB18030）上传；上传后先显示导入预览，确认无误再写入。",
    ]

    var content: ImportTemplateWorkbook.Content {
        let county = place.county.name
        let id = residentID.value
        switch kind {
        case .teachers:
            let example: [TeacherColumn: String] = [.county: county, .school: place.school, .stage: place.stage.label, .name: Self.personName,
                                                    .residentID: id, .phone: Self.phone, .sex: "女", .remarks: ""]
            return .init(title: kind.title, sheetName: "教师名册", headers: TeacherColumn.allCases.map(\.label),
                         example: TeacherColumn.allCases.map { example[$0] ?? "" },
                         notes: Self.commonNotes + [
                            "必填列：" + TeacherColumn.allCases.filter(\.required).map(\.label).joined(separator: "、") + "。",
                            "学段填 幼儿园、中小学 或 中职；所在学校应为本县已登记的学校，新学校可在上传时勾选“自动创建学校”。",
                            "同一身份证号码再次导入时更新该教师的信息，不会重复登记。",
                         ])
        case .officialCounts:
            let columns: [OfficialCountColumn] = [.city, .county, .kindergarten, .primarySecondary, .vocational, .total]
            let example: [OfficialCountColumn: String] = [.city: place.city.name, .county: county, .kindergarten: "326",
                                                          .primarySecondary: "2148", .vocational: "175", .total: "2649"]
            return .init(title: kind.title, sheetName: "专任教师数", headers: columns.map(\.label), example: columns.map { example[$0]! },
                         numericColumns: [2, 3, 4, 5],
                         notes: Self.commonNotes.filter { !$0.contains("身份证") } + [
                            "每个县(市、区)一行，各学段的专任教师数取自教育事业统计；“合计”应等于各学段之和，不等时该行会被标出。",
                            "上传时选择学年（学年开始的年份，如 2016 表示 2016—2017 学年）。",
                            "也可以用“学段”“专任教师数”两列，每个县每个学段一行。",
                         ])
        case .qualifiedList:
            let columns: [QualifiedListImporter.Column] = [.sequence, .county, .school, .name, .residentID, .phone]
            let example: [QualifiedListImporter.Column: String] = [.sequence: "1", .county: county, .school: place.school,
                                                                   .name: Self.personName, .residentID: id, .phone: Self.phone]
            return .init(title: kind.title, sheetName: "合格人员名单", headers: columns.map(\.label), example: columns.map { example[$0]! },
                         numericColumns: [0],
                         notes: Self.commonNotes + [
                            "必填列：教师姓名、身份证号码；县(市、区)可写名称或 6 位代码，不填时按所在学校归到县。",
                            "名单的顺序（序号）会保留，县里核实时按此顺序显示。上传时选择合作项目和培训年度。",
                         ])
        case .feedback:
            let example = [county, String(year), "1", Self.personName, id, Self.phone, place.school, ""]
            return .init(title: kind.title, sheetName: "反馈表", headers: FeedbackTable.headers, example: example,
                         numericColumns: [1, 2],
                         notes: Self.commonNotes + [
                            "最好在“项目整合”的本县名单页下载已填好本县名单的反馈表，再在其上修改：未能核实的人员删除该行，名单外人员加在表末，证书编号填在备注栏（如“证书 2017510104000001”）。",
                            "表中保留的人员在上传后记为已核实，不在下发名单中的人员登记为新增。",
                         ])
        case .titleCheck:
            let headers = TitleCheckBatch.specs.map(\.label)
            return .init(title: kind.title, sheetName: "申报人员", headers: headers, example: [Self.personName, id, "\(year + 3)-06-30"],
                         notes: Self.commonNotes.filter { !$0.contains("导入预览") } + [
                            "必填列：姓名、身份证号码；申报日期可不填（默认按当天核验），格式为 YYYY-MM-DD。",
                            "一次最多核验 \(TitleCheckBatch.maximumRows) 人；上传后每行给出“符合”“不符合”或“无法核验”及原因，可下载结果表。",
                         ])
        case .plans:
            preconditionFailure("Appendix 3 is written by PlanWorkbook")
        }
    }

    /// Appendix 3 in the notice's own layout (the reader finds its two-row header), one county filled in.
    var planContent: PlanWorkbook.Content {
        let figures = ProgressFigures(kindergarten: 326, primarySecondary: 2148, vocational: 175, trained: 1210)
        let row = PlanRow(figures: figures, entry: PlanEntry(provincialDemand: 290, localPlan: 1149, usesProvincialPlatform: true, remarks: ""))
        return PlanWorkbook.Content(year: year, authority: place.city.name, filler: Self.personName, phone: Self.phone,
                                    lines: [.init(city: place.city.name, county: place.county.name, row: row, remarks: "")], totalLabel: "小计")
    }

    func write(to path: String) throws {
        if kind == .plans {
            try PlanWorkbook.write(planContent, to: path)
        } else {
            try ImportTemplateWorkbook.write(content, to: path)
        }
    }
}
