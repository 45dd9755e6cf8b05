/// A page of a list as a query string asks for it. The numbers come from outside, so they are
/// bounded before any arithmetic: `page=9223372036854775807` would otherwise overflow the offset
/// and end the process.
struct Paging: Sendable, Equatable {
    /// No list here has more pages than this; a larger number is read as the last one there is.
    static let maximumPage = 100_000

    let page: Int
    let size: Int

    init(page: Int?, size: Int?, defaultSize: Int, maximumSize: Int) {
        self.page = min(max(1, page ?? 1), Self.maximumPage)
        self.size = min(max(1, size ?? defaultSize), maximumSize)
    }

    init(page: Int?, size: Int) {
        self.init(page: page, size: size, defaultSize: size, maximumSize: size)
    }

    /// Rows to skip: at most `maximumPage × maximumSize`, far below any overflow.
    var offset: Int { (page - 1) * size }

    /// The number of pages `total` rows fill; at least one, so an empty list has a page to show.
    func pageCount(total: Int) -> Int { max(1, (max(0, total) + size - 1) / size) }
}
