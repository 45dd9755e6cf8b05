import Foundation
import Logging
import Testing
@testable import PeixunServer

/// The start-up check of the certificate face: silent when the file is there, a warning naming
/// the file and the command that makes it when it is not (or is empty, or does not load).
@Suite struct CertificateFontCheckTests {
    @Test func aPresentFaceIsSilentAndAMissingOneIsNamedWithItsCommand() throws {
        let directory = NSTemporaryDirectory() + "peixun-font-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/PeixunCertificateSerif-Regular.otf"
        let captured = CapturedLog()
        let logger = Logger(label: "test", factory: captured.handler)

        let missing = try #require(CertificateFontCheck.warn(file: file, registered: false, logger: logger))
        #expect(missing.contains("未找到证书字体 \(file)") && missing.contains("/usr/bin/python3 scripts/certificate-font.py \(directory)"))
        #expect(missing.contains("约慢 4 倍"))
        let entry = try #require(captured.entries.withLockedValue { $0 }.first)
        #expect(entry.level == .warning && entry.metadata["file"] == .string(file) && entry.metadata["event"] == "certificate_font_missing")
        #expect(entry.metadata["command"] == .string("/usr/bin/python3 scripts/certificate-font.py \(directory)"))

        FileManager.default.createFile(atPath: file, contents: Data())
        #expect(CertificateFontCheck.problem(file: file)?.contains("为空或不可读") == true)
        FileManager.default.createFile(atPath: file, contents: Data("OTTO not really a font".utf8))
        #expect(CertificateFontCheck.problem(file: file, registered: false)?.contains("无法载入") == true)
        #expect(CertificateFontCheck.warn(file: file, registered: true, logger: logger) == nil)
        #expect(captured.entries.withLockedValue { $0 }.count == 1, "a present face logs nothing")
    }
}
