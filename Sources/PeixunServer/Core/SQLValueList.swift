import SQLKit

extension SQLDatabase {
    /// `column` among `values`, as one predicate per statement to run. On PostgreSQL the values
    /// go as one array bind (`column = ANY($1)`): a statement of 1,000 `IN` binds was parsed and
    /// planned afresh for every chunk, 13–38 ms per 1,000 entries of a city's approval
    /// (bench/README.md). On SQLite, in-process, `IN` lists of `chunk` values as before.
    func predicates<Value: Encodable & Sendable>(_ column: String, in values: [Value], chunk: Int = 1000) -> [SQLQueryString] {
        guard !values.isEmpty else { return [] }
        if dialect.name == "postgresql" {
            // One array however long: PostgreSQL's limit of 65,535 binds counts it as one.
            return ["\(ident: column) = ANY(\(bind: values))"]
        }
        return values.chunked(into: chunk).map { "\(ident: column) IN \(SQLBind.group($0))" }
    }
}
