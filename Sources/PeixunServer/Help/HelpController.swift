import Foundation
import Vapor

/// 帮助 pages are public: they hold no data, and the clerk who most needs them is often the one
/// who cannot sign in (a locked or not yet activated account, a forgotten password).
struct HelpController {
    func boot(routes: any RoutesBuilder) {
        routes.get(.help(.index), use: index)
        for topic in HelpTopic.allCases {
            routes.get(.help(.topic(topic))) { request in try await page(topic, request: request) }
        }
    }

    struct Item: Encodable, Sendable {
        let title: String
        let summary: String
        let url: String
    }

    struct IndexPage: Encodable, Sendable {
        let pageTitle = "帮助"
        let topics: [Item]
        let templatesURL = SiteURL.templates(.page).path
        let loginURL = SiteURL.accounts(.login()).path
    }

    struct TopicPage: Encodable, Sendable {
        let pageTitle: String
        let indexURL = SiteURL.help(.index).path
        let templatesURL = SiteURL.templates(.page).path
        let others: [Item]
    }

    static func item(_ topic: HelpTopic) -> Item { Item(title: topic.title, summary: topic.summary, url: topic.url.path) }

    @Sendable func index(request: Request) async throws -> View {
        try await request.renderPage("help", IndexPage(topics: HelpTopic.allCases.map(Self.item)))
    }

    @Sendable func page(_ topic: HelpTopic, request: Request) async throws -> View {
        let others = HelpTopic.allCases.filter { $0 != topic }.map(Self.item)
        return try await request.renderPage(topic.template, TopicPage(pageTitle: "帮助：" + topic.title, others: others))
    }
}
