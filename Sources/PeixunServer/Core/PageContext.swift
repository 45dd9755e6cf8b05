import PeixunCore
import Vapor

/// What the shared layout shows on every page: who is logged in, the navigation and the
/// CSRF token for the logout form.
struct LayoutContext: Encodable, Sendable {
    struct NavItem: Encodable, Sendable {
        let label: String
        let url: String
        /// 待办's open items (`TodoBadge`).
        var badge: Int?

        init(label: String, url: SiteURL) {
            self.label = label
            self.url = url.path
        }
    }

    let userName: String?
    let roleLabel: String?
    let csrf: String?
    var nav: [NavItem]
    let homeURL = SiteURL.home.path
    let logoutURL = SiteURL.accounts(.logout).path
    /// 帮助 and 导入模板 links any page may show.
    let links = LayoutLinks()
    /// Seconds the browser session has left (nil without one): the idle warning reads it.
    let sessionExpiresIn: Int?
    let sessionWarnBefore = SessionTimeoutController.warnBefore
    let sessionStatusURL = SiteURL.session(.status).path
    let keepAliveURL = SiteURL.session(.keepAlive).path

    init(_ request: Request) {
        let user = request.currentUser
        userName = user?.displayName
        roleLabel = user.map { $0.role.label + ($0.regionCode.flatMap { request.application.regions.region(code: $0)?.name }.map { " · " + $0 } ?? "") }
        csrf = request.sessionState?.csrfToken
        sessionExpiresIn = SessionTimeoutController.secondsLeft(request)
        var nav: [NavItem] = []
        if let user {
            if user.scope.root(in: request.application.regions) != nil {
                nav.append(NavItem(label: "待办", url: .todo(.page)))
                if [.province, .city, .county].contains(user.role) { nav.append(NavItem(label: "工作台", url: .dashboard(.page()))) }
                nav.append(NavItem(label: "培训实施情况", url: .reports(.progress())))
            }
            if !AccountPolicy.creatableRoles(by: .init(role: user.role, regionCode: user.regionCode), in: request.application.regions).isEmpty {
                nav.append(NavItem(label: "用户管理", url: .accounts(.users)))
            }
            if user.role == .teacher {
                nav.append(NavItem(label: "我的培训", url: .teachers(.myTraining)))
                nav.append(NavItem(label: "我的证书", url: .certificates(.mine)))
            }
            if user.role == .reviewer || user.role == .province { nav.append(NavItem(label: "职称评审核验", url: .certificates(.titleCheck))) }
            if [.province, .city, .county].contains(user.role) {
                nav.append(NavItem(label: "教师名册", url: .teachers(.list)))
                nav.append(NavItem(label: "导入名册", url: .imports(.form(.teachers))))
                nav.append(NavItem(label: "专任教师数", url: .imports(.form(.statistics))))
                nav.append(NavItem(label: "项目整合", url: .integration(.batches)))
                nav.append(NavItem(label: "结业证书", url: .certificates(.register())))
                nav.append(NavItem(label: "证书补发", url: .reissue(.page())))
                nav.append(NavItem(label: "项目联系人", url: .contacts(.page())))
                nav.append(NavItem(label: "报送及时率", url: .timeliness(.page())))
                nav.append(NavItem(label: "培训计划", url: .plans(.page())))
                if user.role != .county { nav.append(NavItem(label: "审核存档", url: .frozen(.page()))) }
                nav.append(NavItem(label: "审计日志", url: .audit(.page)))
            }
            if user.role == .institution {
                nav.append(NavItem(label: "待办", url: .todo(.page)))
                nav.append(NavItem(label: "合格名单上报", url: .institutions(.proposals)))
                nav.append(NavItem(label: "核实进度", url: .institutions(.progress)))
                nav.append(NavItem(label: "补发情况说明", url: .reissue(.page())))
            }
            if user.isTopOffice {
                nav.append(NavItem(label: "机构上报名单", url: .institutions(.proposals)))
                nav.append(NavItem(label: "培训机构与项目", url: .institutions(.links)))
            }
            nav.append(NavItem(label: "修改密码", url: .accounts(.password)))
        }
        nav.append(NavItem(label: "帮助", url: .help(.index)))
        self.nav = nav
    }
}

/// A page model together with the layout context, encoded side by side so that templates
/// read `title` and `layout.userName` alike.
struct PageContext<Model: Encodable & Sendable>: Encodable, Sendable {
    let layout: LayoutContext
    let model: Model

    private enum Keys: String, CodingKey { case layout }

    func encode(to encoder: any Encoder) throws {
        try model.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(layout, forKey: .layout)
    }
}

extension Request {
    /// A form page for someone not yet logged in (login, activation): its CSRF token needs a
    /// session, which may have to be started here, so the page is rendered into the response
    /// that carries the new session cookie.
    func renderFormPage<Model: Encodable & Sendable>(_ template: String, status: HTTPResponseStatus = .ok,
                                                     _ model: (_ csrf: String) -> Model) async throws -> Response {
        let response = Response(status: status)
        let csrf = try await Sessions.csrfToken(for: self, response: response)
        response.body = try await renderPage(template, model(csrf)).encodeResponse(for: self).body
        response.headers.contentType = .html
        return response
    }

    func renderPage<Model: Encodable & Sendable>(_ template: String, _ model: Model) async throws -> View {
        var layout = LayoutContext(self)
        if let index = layout.nav.firstIndex(where: { $0.url == SiteURL.todo(.page).path }) { layout.nav[index].badge = try await TodoBadge.count(self) }
        return try await view.render(template, PageContext(layout: layout, model: model))
    }
}
