import Fluent
import Foundation
import PeixunCore
import SQLKit
import Testing
import VaporTesting
import ZIPFoundation
@testable import PeixunServer

/// Every import kind (roster, official counts, qualified list, feedback table) is sent files
/// made to break readers: each is refused in seconds with a Chinese message that names the
/// file, or read as far as it honestly goes, and nothing is written either way.
@Suite struct HostileFileSweepTests {
    struct HostileFile {
        let name: String
        let data: Data
        /// The refusal's code when the file must be refused; nil when reading it is fine too.
        var refusedAs: String? = nil
    }

    static let directory = NSTemporaryDirectory() + "peixun-hostile-" + UUID().uuidString

    /// A zip of the given parts; `method` rewrites the compression method in every header.
    static func zip(_ parts: [(String, Data)], method: UInt16? = nil) throws -> Data {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/\(UUID().uuidString).zip"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for (name, content) in parts {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(content.count),
                                 compressionMethod: method == nil ? .deflate : .none) { position, size in
                content.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        if let method {
            // Local headers (PK\3\4, method at +8) and central directory entries (PK\1\2, at +10).
            var index = 0
            while index + 12 < data.count {
                if data[index] == 0x50, data[index + 1] == 0x4B {
                    let offset = data[index + 2] == 3 && data[index + 3] == 4 ? 8 : data[index + 2] == 1 && data[index + 3] == 2 ? 10 : nil
                    if let offset {
                        data[index + offset] = UInt8(method & 0xFF)
                        data[index + offset + 1] = UInt8(method >> 8)
                    }
                }
                index += 1
            }
        }
        return data
    }

    static let relationships = """
        <?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
        """
    static let workbook = """
        <?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>
        """
    static let workbookRelationships = """
        <?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>
        """
    static let contentTypes = """
        <?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>
        """

    static func cell(_ reference: String, _ text: String) -> String {
        "<c r=\"\(reference)\" t=\"inlineStr\"><is><t>\(text)</t></is></c>"
    }

    /// A roster-shaped sheet (header and one row) with `extra` XML inside `sheetData`.
    static func sheet(prefix: String = "", extra: String = "", rows: String? = nil) -> String {
        let header = "<row r=\"1\">" + ["县(市、区)", "所在学校", "学段", "教师姓名", "身份证号码"].enumerated()
            .map { cell(String(UnicodeScalar(UInt8(65 + $0.offset))) + "1", $0.element) }.joined() + "</row>"
        let row = "<row r=\"2\">" + cell("A2", "锦江区") + cell("B2", "某学校") + cell("C2", "中小学") + cell("D2", "张伟")
            + cell("E2", ResidentID.completing(body: "51010419850101001").value) + "</row>"
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\(prefix)<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
            + header + (rows ?? row) + extra + "</sheetData></worksheet>"
    }

    static func workbook(sheet: String, sharedStrings: String? = nil, method: UInt16? = nil) throws -> Data {
        var parts: [(String, Data)] = [
            ("[Content_Types].xml", Data(contentTypes.utf8)), ("_rels/.rels", Data(relationships.utf8)),
            ("xl/workbook.xml", Data(workbook.utf8)), ("xl/_rels/workbook.xml.rels", Data(workbookRelationships.utf8)),
            ("xl/worksheets/sheet1.xml", Data(sheet.utf8)),
        ]
        if let sharedStrings { parts.append(("xl/sharedStrings.xml", Data(sharedStrings.utf8))) }
        return try zip(parts, method: method)
    }

    static func files() throws -> [HostileFile] {
        let full = sheet()
        let laughs = "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
            + (3...9).map { "<!ENTITY lol\($0) \"" + String(repeating: "&lol\($0 - 1);", count: 10) + "\">" }.joined() + "]>"
        var random = SeededRandom(seed: 7)
        let noise = Data((0..<300_000).map { _ in UInt8.random(in: 0...255, using: &random) })
        return [
            HostileFile(name: "截断的工作表.xlsx", data: try workbook(sheet: String(full.prefix(full.count - 40))), refusedAs: "file.corrupt"),
            HostileFile(name: "未闭合的元素.xlsx", data: try workbook(sheet: full.replacingOccurrences(of: "</row>", with: "", options: [], range: full.range(of: "</row>"))), refusedAs: "file.corrupt"),
            HostileFile(name: "外部实体.xlsx", data: try workbook(sheet: sheet(prefix: "<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>",
                                                                            rows: "<row r=\"2\">" + cell("A2", "&xxe;") + "</row>"))),
            HostileFile(name: "实体炸弹.xlsx", data: try workbook(sheet: sheet(prefix: laughs, rows: "<row r=\"2\">" + cell("D2", "&lol9;") + "</row>"))),
            HostileFile(name: "超大单元格.xlsx", data: try workbook(sheet: sheet(rows: "<row r=\"2\">" + cell("D2", String(repeating: "长", count: 6_000_000)) + "</row>"))),
            HostileFile(name: "超出行数上限.xlsx", data: try workbook(sheet: sheet(extra: "<row r=\"2000000\">" + cell("A2000000", "锦江区") + "</row>")), refusedAs: "file.too_large"),
            HostileFile(name: "超出列数上限.xlsx", data: try workbook(sheet: sheet(extra: "<row r=\"3\">" + cell("XFE3", "x") + "</row>")), refusedAs: "file.too_large"),
            HostileFile(name: "最后一格.xlsx", data: try workbook(sheet: sheet(extra: "<row r=\"1048576\">" + cell("XFD1048576", "x") + "</row>"))),
            HostileFile(name: "不支持的压缩方式.xlsx", data: try workbook(sheet: full, method: 14), refusedAs: "file.corrupt"),
            HostileFile(name: "成千上万个成员.xlsx", data: try zip((0..<5_000).map { ("xl/media/image\($0).png", Data()) }
                + [("[Content_Types].xml", Data(contentTypes.utf8)), ("_rels/.rels", Data(relationships.utf8)),
                   ("xl/workbook.xml", Data(workbook.utf8)), ("xl/_rels/workbook.xml.rels", Data(workbookRelationships.utf8)),
                   ("xl/worksheets/sheet1.xml", Data(full.utf8))])),
            HostileFile(name: "乱码.xlsx", data: noise, refusedAs: "file.not_spreadsheet"),
            HostileFile(name: "乱码.xls", data: noise, refusedAs: "file.not_spreadsheet"),
            HostileFile(name: "乱码.csv", data: noise, refusedAs: "file.not_spreadsheet"),
            HostileFile(name: "共享字符串截断.xlsx", data: try workbook(
                sheet: sheet(rows: "<row r=\"2\"><c r=\"D2\" t=\"s\"><v>0</v></c></row>"),
                sharedStrings: "<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>张"),
                refusedAs: "file.corrupt")
        ]
    }

    struct Target {
        let kind: String
        let user: String
        let path: String
    }

    func tableCounts(_ app: Application) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in ["teachers", "schools", "official_counts", "integration_entries", "training_records", "audit_log", "import_uploads"] {
            struct Count: Decodable { let n: Int }
            counts[table] = try await app.sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first(decoding: Count.self)?.n ?? 0
        }
        return counts
    }

    @Test func everyImportRefusesOrReadsHostileFilesQuicklyAndWritesNothing() async throws {
        try await withTestApp(demo: .small) { app in
            let batch = try await makeIntegrationBatch(app)
            let targets = [
                Target(kind: "roster", user: "jinjiang", path: "/api/v1/teachers/import?dryRun=false&createSchools=true&skipInvalid=true"),
                Target(kind: "counts", user: "sheng", path: "/api/v1/statistics/import?dryRun=false&year=2016&skipInvalid=true"),
                Target(kind: "qualified list", user: "sheng", path: "/api/v1/integration/import?dryRun=false&skipInvalid=true&year=2016&projectID=\(batch.projectID)"),
                Target(kind: "feedback", user: "jinjiang", path: "/api/v1/integration/\(batch.id!)/feedback"),
            ]
            let files = try Self.files()
            defer { try? FileManager.default.removeItem(atPath: Self.directory) }
            for target in targets {
                let headers = try await TestUsers.bearer(app, target.user)
                for file in files {
                    let before = try await tableCounts(app)
                    var withName = headers
                    withName.add(name: "X-File-Name", value: file.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
                    let started = ContinuousClock.now
                    var refused = false
                    try await app.testing().test(.POST, target.path, headers: withName, body: ByteBuffer(data: file.data)) { response in
                        let what = "\(target.kind) ← \(file.name)"
                        #expect(response.status.code < 500, "\(what): \(response.status)")
                        let body = response.body.string
                        #expect(!body.contains("root:"), "\(what): a file outside was read")
                        #expect(!body.contains("lollollol"), "\(what): an entity was expanded")
                        refused = response.status.code >= 400
                        var code = ""
                        if refused {
                            let error = try? JSONDecoder().decode(ErrorRenderingMiddleware.ErrorBody.self, from: Data(response.body.readableBytesView))
                            let message = error?.error.message ?? ""
                            code = error?.error.code ?? ""
                            #expect(message.unicodeScalars.contains { $0.properties.isIdeographic }, "\(what): \(body.prefix(300))")
                            #expect(message.contains(file.name) || message.contains("文件"), "\(what): the message names no file: \(message)")
                        }
                        if let expected = file.refusedAs { #expect(code == expected, "\(what): \(response.status) \(code), not \(expected)") }
                        let elapsed = ContinuousClock.now - started
                        print("hostile-file \(target.kind) | \(file.name) | \(response.status.code) \(code) | \(elapsed)")
                        #expect(elapsed < .seconds(20), "\(what) took \(elapsed)")
                    }
                    // A refused file writes nothing; one read honestly may import its good rows.
                    let after = try await tableCounts(app)
                    for (table, count) in before where refused || table == "import_uploads" {
                        #expect(after[table] == count, "\(target.kind) ← \(file.name) changed \(table)")
                    }
                }
            }
        }
    }
}

/// A small deterministic generator, so that the noise files are the same in every run.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
