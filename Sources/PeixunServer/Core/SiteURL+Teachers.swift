import Foundation
import Vapor

extension SiteURL {
    /// The teacher registry, transfers between counties, and a teacher's own training.
    enum Teachers: SiteResource {
        /// What the receiving or the requesting county does to a pending transfer.
        enum Decision: String, CaseIterable, Sendable {
            case accept, reject, cancel
        }

        /// The list; its filters and page go in `path(adding:)`.
        case list
        case export
        case new
        case teacher(Parameter<Int>)
        case edit(Parameter<Int>)
        case requestTransfer(Parameter<Int>)
        case transfers
        case transfer(Parameter<Int>, Decision)
        case myTraining
        case apiTeachers
        case apiTeacher(Parameter<Int>)
        case apiRequestTransfer(Parameter<Int>)
        case apiTransfers
        case apiTransfer(Parameter<Int>, Decision)
        case apiMyTraining

        var segments: [String] {
            switch self {
            case .list: ["teachers"]
            case .export: ["teachers", "export"]
            case .new: ["teachers", "new"]
            case .teacher(let id): ["teachers", id.segment(.teacherID)]
            case .edit(let id): ["teachers", id.segment(.teacherID), "edit"]
            case .requestTransfer(let id): ["teachers", id.segment(.teacherID), "transfer"]
            case .transfers: ["transfers"]
            case .transfer(let id, let decision): ["transfers", id.segment(.transferID), decision.rawValue]
            case .myTraining: ["me"]
            case .apiTeachers: ["api", "v1", "teachers"]
            case .apiTeacher(let id): ["api", "v1", "teachers", id.segment(.teacherID)]
            case .apiRequestTransfer(let id): ["api", "v1", "teachers", id.segment(.teacherID), "transfers"]
            case .apiTransfers: ["api", "v1", "transfers"]
            case .apiTransfer(let id, let decision): ["api", "v1", "transfers", id.segment(.transferID), decision.rawValue]
            case .apiMyTraining: ["api", "v1", "me", "training"]
            }
        }

        static let routes: [(HTTPMethod, Self)] = [
            (.GET, .list), (.GET, .export), (.GET, .new), (.POST, .new), (.GET, .teacher(.key)),
            (.GET, .edit(.key)), (.POST, .edit(.key)), (.POST, .requestTransfer(.key)), (.GET, .transfers), (.GET, .myTraining),
            (.GET, .apiTeachers), (.POST, .apiTeachers), (.GET, .apiTeacher(.key)), (.PATCH, .apiTeacher(.key)),
            (.POST, .apiRequestTransfer(.key)), (.GET, .apiTransfers), (.GET, .apiMyTraining),
        ] + Decision.allCases.flatMap { [(.POST, .transfer(.key, $0)), (.POST, .apiTransfer(.key, $0))] }
    }
}
