import Foundation

/// The page-number bar under a long list (`Resources/Views/pager.leaf`, included where a page
/// model has a `pager`): previous and next, the first and last pages and those around the
/// current one, and a jump-to-page form that keeps the list's filters as hidden fields, so it
/// works without JavaScript. Its numbers come from `Paging`, already bounded.
struct PageBar: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        let number: Int
        let url: String
        let current: Bool
        /// "…": pages left out between two shown numbers.
        let gap: Bool
    }

    struct Field: Encodable, Sendable {
        let name: String
        let value: String
    }

    let page: Int
    let pageCount: Int
    /// Whether there is more than one page (the bar is shown only then).
    let shows: Bool
    let previousURL: String?
    let nextURL: String?
    let items: [Item]
    let jumpAction: String
    let jumpFields: [Field]

    /// - Parameters:
    ///   - list: the list's path, a case that carries no query of its own (the jump form is a
    ///     GET form, which replaces the action's query with its fields).
    ///   - keeping: the list's filters and sort, in the order its links carry them; `page` is added.
    init(page: Int, pageCount: Int, list: SiteURL, keeping: [URLQueryItem]) {
        let filters = keeping.filter { $0.name != "page" && $0.value.map { !$0.isEmpty } == true }
        func url(_ number: Int) -> String {
            list.path(adding: number > 1 ? filters + [URLQueryItem(name: "page", value: String(number))] : filters)
        }
        self.page = min(max(1, page), max(1, pageCount))
        self.pageCount = max(1, pageCount)
        shows = pageCount > 1
        previousURL = self.page > 1 ? url(self.page - 1) : nil
        nextURL = self.page < self.pageCount ? url(self.page + 1) : nil
        let current = self.page
        items = Paging.pageNumbers(current: current, count: self.pageCount).map { number in
            number.map { Item(number: $0, url: url($0), current: $0 == current, gap: false) } ?? Item(number: 0, url: "", current: false, gap: true)
        }
        jumpAction = list.path
        jumpFields = filters.map { Field(name: $0.name, value: $0.value ?? "") }
    }
}
