import PeixunCore
import SQLKit
import Vapor

/// A teacher's training records as people read them, oldest first.
struct TeacherRecordDTO: Content {
    let project: String
    let level: String
    let year: Int
    let result: String

    /// The caller has already checked that the teacher is within the user's scope.
    static func load(teacherID: Int, on database: any SQLDatabase) async throws -> [TeacherRecordDTO] {
        struct Row: Decodable { let name: String; let level: String; let year: Int; let result: String }
        return try await database.raw("""
            SELECT p.name, p.level, r.year, r.result FROM training_records r JOIN projects p ON p.id = r.project_id
            WHERE r.teacher_id = \(bind: teacherID) ORDER BY r.year, p.name
            """).all(decoding: Row.self).map { TeacherRecordDTO(stored: $0.name, level: $0.level, year: $0.year, result: $0.result) }
    }
}

extension TeacherRecordDTO {
    /// From the stored values (level and result as their keys).
    init(stored project: String, level: String, year: Int, result: String) {
        self.init(project: project, level: TrainingLevel(rawValue: level)?.label ?? level, year: year,
                  result: TrainingResult(rawValue: result)?.label ?? result)
    }
}
