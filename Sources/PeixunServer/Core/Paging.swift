import Foundation

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

extension Paging {
    /// A number of a query string (`page`, `perPage`) as typed: an integer, however large or
    /// negative (the initialisers bound it), or nil when absent; anything else is a 400 that
    /// names the parameter, rather than the decoder's English.
    static func number(_ text: String?, name: String) throws -> Int? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let value = Int(text) { return value }
        let digits = text.drop { $0 == "-" || $0 == "+" }
        guard text.count - digits.count <= 1, !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else {
            throw AppError.badRequest(code: "paging.invalid", "\(name)应为整数，收到的是“\(text.prefix(20))”")
        }
        return text.hasPrefix("-") ? Int.min : Int.max
    }

    /// The page numbers a page bar shows: the first and the last, `around` either side of the
    /// current one, nil where numbers are left out ("…"). A gap of one number shows the number.
    static func pageNumbers(current: Int, count: Int, around: Int = 2) -> [Int?] {
        guard count > 1 else { return [] }
        let current = min(max(1, current), count)
        var shown = Set([1, count])
        for page in max(1, current - around)...min(count, current + around) { shown.insert(page) }
        var numbers: [Int?] = []
        var last = 0
        for page in shown.sorted() {
            if page == last + 2 { numbers.append(last + 1) } else if page > last + 2 { numbers.append(nil) }
            numbers.append(page)
            last = page
        }
        return numbers
    }
}
