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
        // 𠇔 (Extension B) is not in the pre-cut face: the full Noto Serif CJK behind it draws it.
        let faces = try embeddedFaces(pdf)
        #expect(faces.count == 2 && faces.contains { $0.contains("+PeixunCertificateSerif") } && faces.contains { $0.contains("+NotoSerifCJK") },
                "\(faces)")

        _ = try run("/usr/bin/pdftoppm", ["-r", "100", "-png", "-singlefile", pdf.path, directory.appendingPathComponent("page").path])
        let png = directory.appendingPathComponent("page.png")
        #expect(FileManager.default.fileExists(atPath: png.path))
        let decoded = try run("/usr/bin/zbarimg", ["--quiet", "--raw", png.path])
        #expect(decoded.trimmingCharacters(in: .whitespacesAndNewlines) == "https://peixun.example.cn/verify/abcdefghijklmnopqrstuvwxyz")
    }

    @Test("常用字的证书只嵌入预先子集化的字体（小而快）")
    func commonNamesUseThePreCutFace() throws {
        try #require(CertificateFonts.usesSubset, "缺少 \(CertificateFonts.subsetFile)：请运行 scripts/install-deps.sh")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("peixun-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pdf = directory.appendingPathComponent("c.pdf")
        // 堃 and 喆 are not in GB 2312 but are in the 通用规范汉字表 (level 3, names and places).
        let bytes = try CertificateDocument.pdf(Self.snapshot(name: "王堃喆", completed: 3))
        try Data(bytes).write(to: pdf)
        let faces = try embeddedFaces(pdf)
        #expect(faces.count == 1 && faces[0].contains("+PeixunCertificateSerif"), "\(faces)")
        #expect(bytes.count < 50_000, "\(bytes.count) 字节")
        let text = try run("/usr/bin/pdftotext", [pdf.path, "-"]).filter { !$0.isWhitespace }
        #expect(text.contains("王堃喆同志"))
    }

    @Test("预先子集化的字体排出的文字与完整的 Noto Serif CJK 逐像素相同")
    func preCutFaceSetsTextLikeTheFullFace() throws {
        try #require(CertificateFonts.usesSubset, "缺少 \(CertificateFonts.subsetFile)：请运行 scripts/install-deps.sh")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("peixun-face-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var pages: [Data] = []
        for (index, family) in [CertificateFonts.serif, CertificateFonts.fullFamily].enumerated() {
            let canvas = PDFCanvas(title: "t", creationDate: "2017-03-31T00:00:00Z")
            canvas.text("结业证书", family: family, size: 44, x: 60, y: 40, width: 700, alignment: .center, letterSpacing: 18)
            canvas.text("　　王堃喆同志参加中小学教师信息技术应用能力提升工程培训（2016），完成规定的学习任务，经考核成绩合格，准予结业。证书编号：2017510104000123X",
                        family: family, size: 18, x: 110, y: 140, width: 620, lineSpacing: 1.4)
            let pdf = directory.appendingPathComponent("\(index).pdf")
            try Data(try canvas.finish()).write(to: pdf)
            _ = try run("/usr/bin/pdftoppm", ["-r", "100", "-gray", "-singlefile", pdf.path, directory.appendingPathComponent("\(index)").path])
            pages.append(try Data(contentsOf: directory.appendingPathComponent("\(index).pgm")))
        }
        #expect(pages[0].count > 100_000 && pages[0] == pages[1])
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

    /// The `pdffonts` rows, each checked to be embedded as a subset with a ToUnicode map.
    private func embeddedFaces(_ pdf: URL) throws -> [String] {
        let faces = try run("/usr/bin/pdffonts", [pdf.path]).split(separator: "\n").dropFirst(2).map(String.init)
        #expect(faces.allSatisfy { $0.contains("yes yes yes") }, "\(faces)")
        return faces
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
