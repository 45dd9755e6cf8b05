import Fluent
import Foundation
import PeixunCore
import Testing
import VaporTesting
@testable import PeixunServer

/// Something of every kind the matrix aims at, placed where the walking user may not reach it,
/// so that each 404 means "not yours" rather than "none".
extension ScopeMatrixTests {
    /// A pending transfer, which only the counties at either end (and their cities) may see.
    static func transfer(_ app: Application, teacher: Int, school: Int, from: String, to: String) async throws -> Int {
        let transfer = TransferModel()
        transfer.teacherID = teacher
        transfer.fromSchoolID = school
        transfer.fromCountyCode = from
        transfer.fromCityCode = app.regions.region(code: from)!.parentCode!
        transfer.toCountyCode = to
        transfer.toCityCode = app.regions.region(code: to)!.parentCode!
        transfer.status = TransferModel.Status.pending.rawValue
        transfer.requestedBy = "test"
        transfer.requestedAt = Date()
        try await transfer.create(on: app.db)
        return transfer.id!
    }

    /// A qualified-list batch of the first cooperation project.
    static func batch(_ app: Application) async throws -> IntegrationBatchModel {
        let batch = IntegrationBatchModel()
        batch.projectID = try await ProjectModel.query(on: app.db).filter(\.$level == "cooperation").first()!.id!
        batch.year = 2016
        batch.deadline = "2016-09-30"
        batch.createdAt = Date()
        try await batch.create(on: app.db)
        return batch
    }

    /// An entry of `batch` in `county`.
    static func entry(_ app: Application, batch: IntegrationBatchModel, county: String, name: String, body: String) async throws -> Int {
        let entry = IntegrationEntryModel()
        entry.batchID = batch.id!
        entry.countyCode = county
        entry.cityCode = app.regions.region(code: county)!.parentCode
        entry.sequence = 1
        entry.name = name
        entry.residentID = ResidentID.completing(body: body).value
        entry.status = "pending"
        entry.added = false
        try await entry.create(on: app.db)
        return entry.id!
    }

    /// A reissue request for the certificate `number`, in a round of its city.
    static func reissueRequest(_ app: Application, _ number: String) async throws -> (request: Int, round: Int) {
        let certificate = try await CertificateModel.query(on: app.db).filter(\.$number == number).first()!
        let round = ReissueRoundModel()
        round.cityCode = certificate.cityCode
        round.opened = Date()
        try await round.create(on: app.db)
        let request = ReissueRequestModel()
        request.certificateID = certificate.id!
        request.teacherID = certificate.teacherID
        request.countyCode = certificate.countyCode
        request.cityCode = certificate.cityCode
        request.roundID = round.id!
        request.storedKind = ReissueKind.lost.rawValue
        request.reason = "证书遗失"
        request.storedStatus = ReissueStatus.check.rawValue
        request.requestedBy = "test"
        request.requestedRole = Role.county.rawValue
        request.requestedAt = Date()
        request.updatedAt = Date()
        try await request.create(on: app.db)
        return (request.id!, round.id!)
    }

    /// A failed, retryable certificate job of `username`'s at `region` (failed, so that no
    /// runner takes it while the matrix walks, and so that "retry" would change it).
    static func job(_ app: Application, owner username: String, region: String) async throws -> Int {
        let owner = try #require(try await UserModel.query(on: app.db).filter(\.$username == username).first())
        let user = try CurrentUser(owner, channel: .session, regions: app.regions)
        let job = try await app.jobs.enqueue(.issueCertificates, payload: CertificateIssueJob.Payload(region: region), owner: user,
                                             address: "127.0.0.1", regionCode: region, on: app.db, clock: app.clock)
        job.state = JobModel.State.failed.rawValue
        job.retryable = true
        job.error = "\(app.regions.region(code: region)?.name ?? region)：测试中断"
        try await job.update(on: app.db)
        return job.id!
    }

    /// Appendix 1 of `city` as an approval would have kept it (its title names the city).
    static func snapshot(_ app: Application, city: String) async throws -> Int {
        let region = try #require(app.regions.region(code: city))
        let table = try await FrozenTables(database: app.db, regions: app.regions).live(.progress, subject: 2016, region: region)
        let model = FrozenTableModel()
        model.kind = FrozenKind.progress.rawValue
        model.subjectID = 2016
        model.regionCode = city
        model.title = table.title
        model.approvedBy = "test"
        model.approverName = "测试"
        model.approvedAt = Date()
        model.grid = String(decoding: try JSONEncoder().encode(table.grid), as: UTF8.self)
        model.payload = String(decoding: try JSONEncoder().encode(table.payload), as: UTF8.self)
        try await model.create(on: app.db)
        return model.id!
    }

    /// A proposed list of `username`'s, waiting for the top office, with one row in `county`.
    static func proposal(_ app: Application, by username: String, county: String, name: String) async throws -> Int {
        let owner = try #require(try await UserModel.query(on: app.db).filter(\.$username == username).first())
        let list = ProposedListModel()
        list.projectID = try await ProjectModel.query(on: app.db).filter(\.$level == "cooperation").first()!.id!
        list.year = 2016
        list.userID = owner.id!
        list.fileName = "\(name).xlsx"
        list.sha256 = ""
        list.content = Data()
        list.status = ProposedListModel.Status.proposed.rawValue
        list.rows = 1
        list.valid = 1
        list.refusedRows = 0
        list.errors = "[]"
        list.createdAt = Date()
        try await list.create(on: app.db)
        let row = ProposedListRowModel()
        row.proposalID = list.id!
        row.row = 2
        row.countyCode = county
        row.listedCounty = app.regions.region(code: county)?.name
        row.name = name
        row.residentID = ResidentID.completing(body: "\(county)19800101002").value
        try await row.create(on: app.db)
        return list.id!
    }
}
