import PeixunCore

/// The progress statistics of one region for one year: its children as rows (cities of the
/// province, counties of a city, schools of a county) and their total.
struct ProgressReport: Sendable {
    enum RowLevel: String, Sendable, Codable {
        case province, city, county, school

        var header: String {
            switch self {
            case .province: "省"
            case .city: "市州"
            case .county: "县(市、区)"
            case .school: "学校"
            }
        }
    }

    let year: Int
    let region: Region
    let rowLevel: RowLevel
    /// The school year of the official counts used, nil when none are loaded.
    let schoolYear: Int?
    let table: ProgressTable
    /// For a county: its official count, to compare with the teachers on its schools' rolls.
    let officialTotal: Int?

    var title: String {
        region.code == SyntheticProvinces.nationalCode ? "全国中小学教师信息技术应用能力提升工程培训实施情况统计表"
            : region.level == .province && region.parentCode == nil
            ? "全省中小学教师信息技术应用能力提升工程培训实施情况统计表"
            : "\(region.name)中小学教师信息技术应用能力提升工程培训实施情况统计表"
    }
}
