import Fluent
import Foundation
import PeixunCore
import PeixunDocuments
import SQLKit
import Vapor

/// `peixun certificates issue|list|render|verify` — the interfaces scripts rely on (issue 14).
struct CertificatesCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] {
        ["issue": IssueCertificatesCommand(), "list": ListCertificatesCommand(), "render": RenderCertificateCommand(),
         "verify": VerifyCertificateCommand(), "render-all": RenderAllCertificatesCommand()]
    }
    var help: String { "结业证书：签发、列出、生成 PDF、核验" }

    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        FileHandle.standardOutput.write(try encoder.encode(value) + Data("\n".utf8))
    }
}

struct IssueCertificatesCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "region", help: "行政区划代码或名称：为其中符合条件且尚无证书的教师签发")
        var region: String?
        @Flag(name: "json", help: "以 JSON 输出 {issued, alreadyIssued, notEligible}")
        var json: Bool
        init() {}
    }

    var help: String { "为一个地区符合结业条件的教师签发证书（可重复执行，不会重复签发）" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let region = try context.region(signature.region, orElse: nil)
        let started = ContinuousClock.now
        let json = signature.json
        let outcome = try await CertificateIssuance(application: app, actor: .commandLine).issue(regionCode: region.code) { done, total in
            if !json, total > 1, done % 10 == 0 || done == total { FileHandle.standardError.write(Data("已处理 \(done)/\(total) 个县(市、区)\n".utf8)) }
        }
        if json {
            try CertificatesCommand.printJSON(outcome)
        } else {
            let seconds = (ContinuousClock.now - started).secondsValue
            context.console.info("\(app.regions.qualifiedName(of: region))：签发 \(outcome.issued) 张，此前已有 \(outcome.alreadyIssued) 人，尚不符合条件 \(outcome.notEligible) 人（用时 \(String(format: "%.1f", seconds)) 秒）")
        }
    }
}

struct ListCertificatesCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "region", help: "行政区划代码或名称")
        var region: String?
        @Flag(name: "json", help: "以 JSON 输出")
        var json: Bool
        init() {}
    }

    var help: String { "列出一个地区的证书（编号、核验令牌、姓名、状态）" }

    struct Line: Encodable {
        let number: String
        let token: String
        let teacherName: String
        let status: String
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let region = try context.region(signature.region, orElse: nil)
        let query = CertificateModel.query(on: app.db).within(region)
        // In pages of 10,000, so that a province's half a million never sit in memory at once.
        var lines: [Line] = []
        var lastID = 0
        while true {
            let page = try await query.copy().filter(\.$id > lastID).sort(\.$id).limit(10_000).all()
            guard let last = page.last else { break }
            lastID = last.id!
            for certificate in page {
                let line = Line(number: certificate.number, token: certificate.token, teacherName: try certificate.snapshot().teacherName,
                                status: try certificate.status().rawValue)
                if signature.json { lines.append(line) } else {
                    FileHandle.standardOutput.write(Data("\(line.number)\t\(line.token)\t\(line.teacherName)\t\(line.status)\n".utf8))
                }
            }
        }
        if signature.json { try CertificatesCommand.printJSON(lines.sorted { $0.number < $1.number }) }
    }
}

struct RenderCertificateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "number", help: "证书编号")
        var number: String
        @Option(name: "output", short: "o", help: "输出的 PDF 文件")
        var output: String?
        init() {}
    }

    var help: String { "按签发时固定的内容生成证书 PDF（每次生成的文件逐字节相同）" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let number = CertificateNumber(parsing: signature.number) else {
            context.console.error("证书编号无效：\(signature.number)（应为 17 位，末位为校验码）")
            throw ExitCode(2)
        }
        guard let output = signature.output else {
            context.console.error("请用 -o 指定输出的 PDF 文件")
            throw ExitCode(2)
        }
        guard let certificate = try await CertificateRegister(database: context.application.db).find(number: number) else {
            context.console.error("证书不存在：\(number)")
            throw ExitCode(1)
        }
        try Data(try CertificateDocument.pdf(try certificate.snapshot())).write(to: URL(fileURLWithPath: output))
        context.console.info("已写入 \(output)")
    }
}

struct VerifyCertificateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "certificate", help: "证书编号、核验令牌或核验网址")
        var certificate: String
        @Flag(name: "json", help: "以 JSON 输出")
        var json: Bool
        init() {}
    }

    var help: String { "核验一张证书：状态、编号、签发日期" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let database = context.application.db as! any SQLDatabase
        let text = signature.certificate.trimmingCharacters(in: .whitespaces)
        let key: VerificationDTO.Key
        if let number = CertificateNumber(parsing: text) {
            key = .number(number)
        } else if let token = VerificationToken(parsing: text.split(separator: "/").last.map(String.init) ?? text) {
            key = .token(token)
        } else {
            context.console.error("无法识别：\(text.prefix(80))（应为 17 位证书编号、26 位核验令牌或核验网址）")
            throw ExitCode(2)
        }
        guard let (answer, _) = try await VerificationDTO.find(key, on: database) else {
            context.console.error("证书不存在")
            throw ExitCode(1)
        }
        if signature.json {
            try CertificatesCommand.printJSON(answer)
        } else {
            context.console.info("\(answer.number) \(answer.statusLabel) 持证人 \(answer.holder) 签发于 \(answer.issuedOn)"
                                 + (answer.replacedBy.map { "，已由 \($0) 替代" } ?? "") + (answer.revokedReason.map { "，撤销原因：\($0)" } ?? ""))
        }
    }
}

struct RenderAllCertificatesCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "region", help: "行政区划代码或名称")
        var region: String?
        @Option(name: "output-dir", short: "o", help: "输出目录：每张有效证书一个 PDF，文件名为证书编号")
        var output: String?
        @Option(name: "limit", help: "最多生成多少张（默认全部）")
        var limit: Int?
        @Option(name: "book", help: "改为合成一个 PDF 写到此文件（每张一页，与县级“合成下载”相同，单线程）")
        var book: String?
        init() {}
    }

    var help: String { "把一个地区的全部有效证书各生成一个 PDF（归档用），按 CPU 核数并行" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let region = try context.region(signature.region, orElse: nil)
        if let book = signature.book {
            return try await renderBook(to: book, region: region, limit: signature.limit, context: context)
        }
        guard let output = signature.output else {
            context.console.error("请用 -o 指定输出目录")
            throw ExitCode(2)
        }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let query = CertificateModel.query(on: app.db).filter(\.$storedStatus == CertificateStatus.valid.rawValue).within(region)
        let limit = max(0, signature.limit ?? Int.max)
        let started = ContinuousClock.now
        var rendered = 0
        var lastID = 0
        while rendered < limit {
            let page = try await query.copy().filter(\.$id > lastID).sort(\.$id).limit(min(10_000, limit - rendered)).all()
            guard let last = page.last else { break }
            lastID = last.id!
            let snapshots = try page.map { try $0.snapshot() }
            // Drawing is CPU work: spread over the cores, one thread each (pango keeps a font map per thread).
            let failures = ManagedAtomicCounter()
            DispatchQueue.concurrentPerform(iterations: snapshots.count) { index in
                let snapshot = snapshots[index]
                do {
                    try Data(try CertificateDocument.pdf(snapshot)).write(to: URL(fileURLWithPath: output).appendingPathComponent("\(snapshot.number).pdf"))
                } catch {
                    failures.increment()
                }
            }
            guard failures.value == 0 else {
                context.console.error("\(failures.value) 张证书生成失败")
                throw ExitCode(1)
            }
            rendered += snapshots.count
        }
        let seconds = (ContinuousClock.now - started).secondsValue
        context.console.info("已生成 \(rendered) 个 PDF，用时 \(String(format: "%.1f", seconds)) 秒（\(String(format: "%.0f", Double(rendered) / max(seconds, 0.001))) 个/秒）")
        if let problem = CertificateFontCheck.problem(file: CertificateFonts.subsetFile, registered: CertificateFonts.usesSubset) {
            context.console.warning(problem)
        }
    }
}

extension RenderAllCertificatesCommand {
    /// `--book`: the certificates as one print file, as a county downloads them, timed.
    private func renderBook(to path: String, region: Region, limit: Int?, context: CommandContext) async throws {
        let snapshots = try await CertificateModel.query(on: context.application.db)
            .filter(\.$storedStatus == CertificateStatus.valid.rawValue).within(region)
            .sort(\.$id).limit(min(limit ?? CertificatesController.maximumBookPages, CertificatesController.maximumBookPages))
            .all().map { try $0.snapshot() }
        let started = ContinuousClock.now
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try CertificateDocument.book(snapshots, title: "结业证书", date: snapshots.first?.issuedOn ?? CivilDate(year: 2017, month: 1, day: 1)!, to: handle)
        try handle.close()
        let seconds = (ContinuousClock.now - started).secondsValue
        context.console.info("已合成 \(snapshots.count) 页，用时 \(String(format: "%.1f", seconds)) 秒（\(String(format: "%.0f", Double(snapshots.count) / max(seconds, 0.001))) 页/秒）")
    }
}

/// A counter that many threads may bump.
final class ManagedAtomicCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
