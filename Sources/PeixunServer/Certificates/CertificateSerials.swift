import Foundation
import PeixunCore
import SQLKit

/// The serial counter of one county and year (`certificate_serials`), whose row is also the
/// lock that everyone who numbers certificates in that county queues on: the bulk issuance and
/// the reissue approval alike. Used inside the caller's transaction:
/// `var serials = try await CertificateSerials.lock(…)`, `serials.next()` per certificate,
/// `serials.store()` before the transaction ends.
struct CertificateSerials {
    let year: Int
    let county: Region
    /// The last serial stored when the lock was taken.
    let first: Int
    private(set) var last: Int
    private let sql: any SQLDatabase

    /// Takes the lock first, before anything else is read, so that the reads see the work of
    /// whoever held it before (and SQLite takes its write lock without a stale snapshot).
    static func lock(year: Int, county: Region, on sql: any SQLDatabase) async throws -> CertificateSerials {
        try await sql.raw("""
            INSERT INTO certificate_serials (year, county_code, last_serial) VALUES (\(bind: year), \(bind: county.code), 0)
            ON CONFLICT DO NOTHING
            """).run()
        try await sql.raw("""
            UPDATE certificate_serials SET last_serial = last_serial WHERE year = \(bind: year) AND county_code = \(bind: county.code)
            """).run()
        struct Serial: Decodable { let last_serial: Int }
        guard let last = try await sql.raw("""
            SELECT last_serial FROM certificate_serials WHERE year = \(bind: year) AND county_code = \(bind: county.code)
            """).first(decoding: Serial.self)?.last_serial else { throw AppError(.internalServerError, code: "certificate.serial", "证书流水号读取失败") }
        return CertificateSerials(year: year, county: county, first: last, last: last, sql: sql)
    }

    /// How many numbers were handed out since the lock was taken.
    var used: Int { last - first }

    /// The next certificate number of the county and year.
    mutating func next() throws -> CertificateNumber {
        guard last < CertificateNumber.maximumSerial else {
            throw AppError(.conflict, code: "certificate.serial_exhausted", "\(county.name) \(year) 年的证书流水号已用完")
        }
        last += 1
        return CertificateNumber(year: year, countyCode: county.code, serial: last)
    }

    /// Records the numbers handed out; nothing to write when none were.
    func store() async throws {
        guard used > 0 else { return }
        try await sql.raw("""
            UPDATE certificate_serials SET last_serial = \(bind: last) WHERE year = \(bind: year) AND county_code = \(bind: county.code)
            """).run()
    }
}
