import Fluent
import PeixunCore
import SQLKit

/// Models that belong to a county (and so to a city): schools, teachers, official counts.
protocol RegionScopedModel: Model {
    static var countyCodeKey: KeyPath<Self, FieldProperty<Self, String>> { get }
    static var cityCodeKey: KeyPath<Self, FieldProperty<Self, String>> { get }
    /// For a teacher's own scope: the teacher id column, when the model has one.
    static var teacherIDKey: KeyPath<Self, IDProperty<Self, Int>>? { get }
}

extension RegionScopedModel {
    static var teacherIDKey: KeyPath<Self, IDProperty<Self, Int>>? { nil }
}

extension TeacherModel: RegionScopedModel {
    static var countyCodeKey: KeyPath<TeacherModel, FieldProperty<TeacherModel, String>> { \.$countyCode }
    static var cityCodeKey: KeyPath<TeacherModel, FieldProperty<TeacherModel, String>> { \.$cityCode }
    static var teacherIDKey: KeyPath<TeacherModel, IDProperty<TeacherModel, Int>>? { \.$id }
}

extension SchoolModel: RegionScopedModel {
    static var countyCodeKey: KeyPath<SchoolModel, FieldProperty<SchoolModel, String>> { \.$countyCode }
    static var cityCodeKey: KeyPath<SchoolModel, FieldProperty<SchoolModel, String>> { \.$cityCode }
}

extension PlanModel: RegionScopedModel {
    static var countyCodeKey: KeyPath<PlanModel, FieldProperty<PlanModel, String>> { \.$countyCode }
    static var cityCodeKey: KeyPath<PlanModel, FieldProperty<PlanModel, String>> { \.$cityCode }
}

extension QueryBuilder where Model: RegionScopedModel {
    /// The one place where Fluent queries for regional data are narrowed to a user's subtree.
    func scoped(to scope: RegionScope) -> Self {
        switch scope {
        case .all: return self
        case .province(let code):
            let codes = RegionScope.provinceCityCodes(code)
            return filter(Model.cityCodeKey >= codes.lowerBound).filter(Model.cityCodeKey <= codes.upperBound)
        case .city(let code): return filter(Model.cityCodeKey == code)
        case .county(let code): return filter(Model.countyCodeKey == code)
        case .teacher(let id):
            if let key = Model.teacherIDKey { return filter(key == id) }
            return filter(Model.countyCodeKey == "")
        case .none: return filter(Model.countyCodeKey == "")
        }
    }
}

extension QueryBuilder where Model: RegionScopedModel {
    /// Narrows to one region's subtree: a filter the user chose, applied after `scoped(to:)`.
    func within(_ region: Region) -> Self {
        scoped(to: RegionScope(subtreeOf: region))
    }
}

extension RegionScope {
    /// The same narrowing for SQL queries: a predicate over the query's county and city
    /// columns (and teacher id column, for a teacher's own scope), qualified by `table` when
    /// the query joins tables that share those names.
    func predicate(table: String? = nil, county: String = "county_code", city: String = "city_code", teacherID: String? = nil) -> any SQLExpression {
        func column(_ name: String) -> SQLColumn { table.map { SQLColumn(name, table: $0) } ?? SQLColumn(name) }
        switch self {
        case .all: return SQLRaw("1 = 1")
        case .province(let code):
            let codes = RegionScope.provinceCityCodes(code)
            // Grouped: the predicate stays one condition beside an OR or under a NOT.
            return SQLGroupExpression(SQLBinaryExpression(
                left: SQLBinaryExpression(left: column(city), op: SQLBinaryOperator.greaterThanOrEqual, right: SQLBind(codes.lowerBound)),
                op: SQLBinaryOperator.and,
                right: SQLBinaryExpression(left: column(city), op: SQLBinaryOperator.lessThanOrEqual, right: SQLBind(codes.upperBound))))
        case .city(let code): return SQLBinaryExpression(left: column(city), op: SQLBinaryOperator.equal, right: SQLBind(code))
        case .county(let code): return SQLBinaryExpression(left: column(county), op: SQLBinaryOperator.equal, right: SQLBind(code))
        case .teacher(let id):
            guard let teacherID else { return SQLRaw("1 = 0") }
            return SQLBinaryExpression(left: column(teacherID), op: SQLBinaryOperator.equal, right: SQLBind(id))
        case .none: return SQLRaw("1 = 0")
        }
    }
}

extension RegionScope {
    /// A province's cities share its first two digits (GB/T 2260; synthetic provinces alike).
    static func provincePrefix(_ code: String) -> String { String(code.prefix(2)) }

    /// The same as a range of six-digit codes, which an index on the column can serve
    /// (a `LIKE '51%'` cannot on PostgreSQL without a pattern-ops index).
    static func provinceCityCodes(_ code: String) -> ClosedRange<String> {
        provincePrefix(code) + "0000"...provincePrefix(code) + "9999"
    }
}
