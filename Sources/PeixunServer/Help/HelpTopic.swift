import Foundation
import Vapor

/// 帮助: one page per workflow, written for a county clerk. Each page is a Leaf template
/// (`help-<topic>.leaf`) inside the layout, so it prints and reads on a phone like every page.
enum HelpTopic: String, CaseIterable, Sendable {
    case teachers, integration, approval, certificates, reissue, plans, contacts

    var title: String {
        switch self {
        case .teachers: "教师名册与导入"
        case .integration: "合作项目整合：县级核实"
        case .approval: "市(州)、省级审核"
        case .certificates: "结业证书与证书查验"
        case .reissue: "证书补发"
        case .plans: "培训计划（附件3）"
        case .contacts: "项目联系人与报送截止时间"
        }
    }

    var summary: String {
        switch self {
        case .teachers: "登记和维护本县专任教师，下载模板批量导入名册，导入专任教师数。"
        case .integration: "逐人核实合作项目合格人员名单（身份证、结业证书），或上传反馈表，核实完成后提交。"
        case .approval: "市(州)审核各县提交的名单、计划和联系人并上报，省执行办审核通过或退回。"
        case .certificates: "签发、打印和撤销结业证书；任何人可凭证书编号或二维码查验真伪。"
        case .reissue: "教师遗失证书后，由县提出补发申请，经市(州)、省审核后补发新证书。"
        case .plans: "每年 3 月 31 日前填报下一年度培训计划：省级需求数与市县级计划数。"
        case .contacts: "填报本级项目联系人，查看各项报送任务的截止时间和及时情况。"
        }
    }

    var template: String { "help-" + rawValue }
    var url: SiteURL { .help(.topic(self)) }
}

/// Links every page may show (帮助 in a page's header, a template next to an upload form),
/// carried in the layout context so that no page model has to repeat them.
struct LayoutLinks: Encodable, Sendable {
    let help = SiteURL.help(.index).path
    let templates = SiteURL.templates(.page).path
    let helpTeachers = HelpTopic.teachers.url.path
    let helpIntegration = HelpTopic.integration.url.path
    let helpApproval = HelpTopic.approval.url.path
    let helpCertificates = HelpTopic.certificates.url.path
    let helpReissue = HelpTopic.reissue.url.path
    let helpPlans = HelpTopic.plans.url.path
    let helpContacts = HelpTopic.contacts.url.path
    let templateTeachers = ImportTemplate.Kind.teachers.url.path
    let templateOfficialCounts = ImportTemplate.Kind.officialCounts.url.path
    let templateQualifiedList = ImportTemplate.Kind.qualifiedList.url.path
    let templateFeedback = ImportTemplate.Kind.feedback.url.path
    let templatePlans = ImportTemplate.Kind.plans.url.path
    let templateTitleCheck = ImportTemplate.Kind.titleCheck.url.path
}
