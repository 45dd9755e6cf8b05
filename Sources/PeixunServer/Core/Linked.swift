/// A row a page shows together with the links it needs, encoded side by side so that a
/// template reads `entry.name` and `entry.verifyURL` alike while the API keeps the bare row.
struct Linked<Model: Encodable & Sendable, Links: Encodable & Sendable>: Encodable, Sendable {
    let model: Model
    let links: Links

    init(_ model: Model, _ links: Links) {
        self.model = model
        self.links = links
    }

    func encode(to encoder: any Encoder) throws {
        try model.encode(to: encoder)
        try links.encode(to: encoder)
    }
}

/// The one link of a row that opens something (a teacher, a batch, a region).
struct RowURL: Encodable, Sendable {
    let url: String
}

extension Linked where Links == RowURL {
    init(_ model: Model, url: SiteURL) {
        self.init(model, RowURL(url: url.path))
    }
}
