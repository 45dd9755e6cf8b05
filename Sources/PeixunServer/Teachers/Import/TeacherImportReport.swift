import PeixunCore
import Vapor

/// What an import found and did. `--json` prints exactly this object.
struct TeacherImportReport: Content {
    var rows = 0
    var valid = 0
    var created = 0
    var updated = 0
    var unchanged = 0
    var errors: [RowIssue] = []
    /// What was normalised safely, said back so that nobody is surprised.
    var notes: [RowIssue] = []
    var ignoredColumns: [String] = []
    var newSchools: [String] = []
    var committed = false
    var fileName = ""
    var sha256 = ""

    /// 0 nothing wrong, 1 some rows refused; a refused file (2) never gets a report.
    var exitStatus: Int32 { errors.isEmpty ? 0 : 1 }
}

/// The original cells of a refused row, for the error workbook.
struct RefusedRow: Sendable {
    let row: Int
    let cells: [String]
}
