import Foundation
import PeixunCore

/// The 结业证书 as a PDF: A4 landscape, made from a frozen `CertificateSnapshot` only, so that
/// the same certificate always gives the same bytes. No seal is drawn: the issuer is named in
/// text, and the QR code leads to the public verification page, which is what makes the paper
/// trustworthy.
public enum CertificateDocument {
    /// One face for all the text, as on printed official certificates: the pre-cut Noto Serif CJK
    /// SC, with the full face behind it for Extension A and B characters (㛃, 䶮, 𠇔) that it lacks
    /// (`CertificateFonts`). One face, not a serif, a sans and a bold: cairo embeds a subset of
    /// each face used, and each costs time and bytes whatever the number of glyphs (bench/README.md).
    static let serif = CertificateFonts.serif
    static let sans = serif
    /// At most this many trainings are listed by name; the rest are counted.
    static let listedTrainings = 4

    /// One certificate.
    public static func pdf(_ snapshot: CertificateSnapshot) throws -> [UInt8] {
        let canvas = PDFCanvas(title: "结业证书 \(snapshot.number)", creationDate: creationDate(snapshot.issuedOn))
        try draw(snapshot, on: canvas)
        return try canvas.finish()
    }

    /// Many certificates as one print-ready PDF, one page each, written to `file` as they are
    /// drawn (a county's thousands never sit in memory). `progress` is told after each page.
    public static func book(_ snapshots: some Sequence<CertificateSnapshot>, title: String, date: CivilDate, to file: FileHandle,
                            progress: (Int) -> Void = { _ in }) throws {
        let canvas = PDFCanvas(title: title, creationDate: creationDate(date), file: file)
        var pages = 0
        for snapshot in snapshots {
            if pages > 0 { canvas.nextPage() }
            try draw(snapshot, on: canvas)
            pages += 1
            progress(pages)
        }
        _ = try canvas.finish()
    }

    static func creationDate(_ date: CivilDate) -> String { "\(date)T00:00:00Z" }

    private static func draw(_ snapshot: CertificateSnapshot, on canvas: PDFCanvas) throws {
        let width = canvas.width
        let height = canvas.height
        // Frame: a heavy and a fine line in deep red.
        canvas.setColor(red: 0.55, green: 0.09, blue: 0.09)
        canvas.strokeRectangle(x: 22, y: 22, width: width - 44, height: height - 44, lineWidth: 3)
        canvas.strokeRectangle(x: 30, y: 30, width: width - 60, height: height - 60, lineWidth: 0.8)
        canvas.text("结业证书", family: serif, size: 44, x: 60, y: 62, width: width - 120, alignment: .center, letterSpacing: 18)

        canvas.setColor(red: 0.1, green: 0.1, blue: 0.1)
        canvas.text("证书编号：\(snapshot.number)", family: sans, size: 10.5, x: width - 300, y: 42, width: 250, alignment: .right)
        if let replaces = snapshot.replaces {
            canvas.text("（补发，原证书 \(replaces) 作废）", family: sans, size: 9, x: width - 300, y: 57, width: 250, alignment: .right)
        }
        canvas.text(snapshot.programme, family: serif, size: 16, x: 60, y: 130, width: width - 120, alignment: .center)

        let left = 110.0
        let textWidth = width - 2 * left
        var y = 182.0
        y += canvas.text(snapshot.teacherName + "　同志", family: serif, size: 26, x: left, y: y, width: textWidth) + 4
        y += canvas.text("公民身份号码：\(snapshot.maskedResidentID)", family: serif, size: 12, x: left, y: y, width: textWidth) + 2
        y += canvas.text("工作单位：\(snapshot.region)　\(snapshot.school)", family: serif, size: 12, x: left, y: y, width: textWidth) + 12
        y += canvas.text("　　" + snapshot.statement, family: serif, size: 18, x: left, y: y, width: textWidth, lineSpacing: 1.4) + 10

        let listed = snapshot.completed.prefix(listedTrainings)
        var lines = listed.map { "\($0.year)年　\($0.level)　\($0.project)" }
        if snapshot.completed.count > listedTrainings {
            lines.append("……等共 \(snapshot.completed.count) 项培训")
        }
        if !lines.isEmpty {
            // The list hangs beside its label, right of the QR code's column (x 62–158): four trainings and
            // the "……等共" line reach down to where the code starts, and a line under it was cut off.
            let listLeft = left + 5 * 12 + 8
            canvas.text("完成培训：", family: serif, size: 12, x: left, y: y, width: listLeft - left)
            canvas.text(lines.joined(separator: "\n"), family: serif, size: 11.5, x: listLeft, y: y + 0.5, width: width - left - listLeft, lineSpacing: 1.2)
        }

        // Bottom: the QR code on the left, the issuer and date on the right.
        let qrSize = 96.0
        let qrTop = height - 62 - qrSize - 24
        try canvas.qrCode(snapshot.verificationURL, x: 62, y: qrTop, size: qrSize)
        canvas.text("扫码核验证书真伪", family: sans, size: 8.5, x: 62, y: qrTop + qrSize + 2, width: 220)
        canvas.text(snapshot.verificationURL, family: sans, size: 6.5, x: 62, y: qrTop + qrSize + 14, width: 260)

        let issuerWidth = 430.0
        let issuerLeft = width - 70 - issuerWidth
        let issuerTop = height - 140.0
        let issuerHeight = canvas.text(snapshot.issuer, family: serif, size: 15, x: issuerLeft, y: issuerTop, width: issuerWidth, alignment: .center)
        canvas.text(snapshot.issuedOnText, family: serif, size: 15, x: issuerLeft, y: issuerTop + issuerHeight + 6, width: issuerWidth, alignment: .center)
    }
}
