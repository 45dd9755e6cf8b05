import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import PeixunServer

/// A value in the database that the code does not know is an error naming the row, never a default.
@Suite struct StoredValueTests {
    @Test func aUserWithAnUnknownRoleIsRefusedNotTreatedAsAReviewer() async throws {
        try await withTestApp { app in
            let headers = try await TestUsers.bearer(app, "pingshen")
            try await app.sql.raw("UPDATE users SET role = 'superuser' WHERE username = 'pingshen'").run()
            try await app.testing().test(.GET, "/api/v1/me", headers: headers) { response in
                #expect(response.status == .internalServerError)
                #expect(response.text.contains("data.invalid_value") || response.text.contains("系统内部错误"))
            }
            try await app.testing().test(.GET, "/title-check", headers: headers) { #expect($0.status == .internalServerError) }
        }
    }

    @Test func aCertificateWithAnUnknownStatusNamesItsRow() async throws {
        try await withTestApp(demo: .small) { app in
            _ = try await CertificateIssuance(application: app, actor: .commandLine).issue(regionCode: "510104")
            let certificate = try #require(try await CertificateModel.query(on: app.db).first())
            certificate.storedStatus = "lost"
            #expect(throws: AppError.self) { try certificate.status() }
            do { _ = try certificate.status() } catch let error as AppError {
                #expect(error.reason.contains("certificates 表第 \(certificate.id!) 行的 status"))
            }
        }
    }
}
