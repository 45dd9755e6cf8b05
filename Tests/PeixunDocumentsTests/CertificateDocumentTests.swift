import Foundation
import PeixunCore
@testable import PeixunDocuments
import Testing

@Suite("证书 PDF")
struct CertificateDocumentTests {
    static func snapshot(name: String = "欧阳㛃䶮𠇔", completed: Int = 2) -> CertificateSnapshot {
        CertificateSnapshot(
            number: CertificateNumber(year: 2017, countyCode: "510104", serial: 123),
            teacherName: name, maskedResidentID: "510104********123X", region: "四川省成都市锦江区",
            school: "成都市锦江区师一学校（集团）东区实验小学校",
            completed: (0..<completed).map { .init(year: 2014 + $0 % 4, project: "国培计划（2016）—四川省信息技术应用能力提升工程培训项目 \($0 + 1)", level: "国培") },
            issuer: "四川省中小学教师信息技术应用能力提升工程执行办公室",
            issuedOn: CivilDate(year: 2017, month: 3, day: 31)!,
            verificationURL: "https://peixun.example.cn/verify/abcdefghijklmnopqrstuvwxyz")
    }

    @Test("同一份证书内容两次生成的 PDF 逐字节相同")
    func sameSnapshotSameBytes() throws {
        let first = try CertificateDocument.pdf(Self.snapshot())
        let second = try CertificateDocument.pdf(Self.snapshot())
        #expect(first.count > 5_000)
        #expect(first == second)
        #expect(first != (try CertificateDocument.pdf(Self.snapshot(name: "李四"))))
    }

    @Test("pdftotext 读出中文（含生僻字），pdftoppm 能渲染，zbarimg 读出核验网址")
    func popplerAndZbarReadIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("peixun-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pdf = directory.appendingPathComponent("c.pdf")
        try Data(try CertificateDocument.pdf(Self.snapshot(completed: 6))).write(to: pdf)

        let text = try run("/usr/bin/pdftotext", ["-layout", pdf.path, "-"]).filter { !$0.isWhitespace }
        for expected in ["结业证书", "欧阳㛃䶮𠇔", "2017510104000123", "四川省中小学教师信息技术应用能力提升工程执行办公室", "2017年3月31日", "510104********123X", "等共6项培训", "https://peixun.example.cn/verify/abcdefghijklmnopqrstuvwxyz"] {
            #expect(text.contains(expected), "pdftotext 中缺少 \(expected)")
        }
        let fonts = try run("/usr/bin/pdffonts", [pdf.path])
        #expect(fonts.contains("NotoSerifCJK"))
        // One face, embedded as a subset (emb, sub and uni all "yes").
        let faces = fonts.split(separator: "\n").dropFirst(2)
        #expect(faces.count == 1 && faces.allSatisfy { $0.contains("yes yes yes") }, "\(fonts)")

        _ = try run("/usr/bin/pdftoppm", ["-r", "100", "-png", "-singlefile", pdf.path, directory.appendingPathComponent("page").path])
        let png = directory.appendingPathComponent("page.png")
        #expect(FileManager.default.fileExists(atPath: png.path))
        let decoded = try run("/usr/bin/zbarimg", ["--quiet", "--raw", png.path])
        #expect(decoded.trimmingCharacters(in: .whitespacesAndNewlines) == "https://peixun.example.cn/verify/abcdefghijklmnopqrstuvwxyz")
    }

    @Test("多张证书合成一个 PDF，每张一页")
    func bookHasOnePagePerCertificate() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("peixun-book-\(UUID().uuidString).pdf")
        _ = FileManager.default.createFile(atPath: path.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: path) }
        let handle = try FileHandle(forWritingTo: path)
        var seen: [Int] = []
        try CertificateDocument.book((0..<3).map { _ in Self.snapshot() }, title: "锦江区证书", date: CivilDate(year: 2017, month: 4, day: 1)!, to: handle) { seen.append($0) }
        try handle.close()
        #expect(seen == [1, 2, 3])
        let info = try run("/usr/bin/pdfinfo", [path.path])
        let fields = Dictionary(info.split(separator: "\n").compactMap { line -> (String, String)? in
            let parts = line.split(separator: ":", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), parts[1].trimmingCharacters(in: .whitespaces)) : nil
        }, uniquingKeysWith: { first, _ in first })
        #expect(fields["Pages"] == "3")
        #expect(fields["Page size"]?.hasPrefix("841.89 x 595.28") == true)
        #expect(fields["CreationDate"]?.contains("2017") == true)
    }

    private func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
