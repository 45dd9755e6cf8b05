import Foundation
import Logging
import PeixunDocuments

/// At start, whether certificates can be set in the pre-cut face. Without it they silently fall
/// back to the full Noto Serif CJK (same text, about four times the time and three times the
/// bytes), so an instance deployed without running the install step would serve slow PDFs and
/// nobody would know. Readiness does not depend on it: the PDFs are still right.
enum CertificateFontCheck {
    /// What makes the face (what `scripts/install-deps.sh` runs), for the directory it belongs in.
    static func command(for file: String) -> String {
        "/usr/bin/python3 scripts/certificate-font.py \((file as NSString).deletingLastPathComponent)"
    }

    /// Why the face at `file` cannot be used, in a sentence; nil when it is there and not empty.
    static func problem(file: String, registered: Bool = true) -> String? {
        let attributes = try? FileManager.default.attributesOfItem(atPath: file)
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        let why: String
        if attributes == nil {
            why = "未找到证书字体 \(file)"
        } else if size == 0 || !FileManager.default.isReadableFile(atPath: file) {
            why = "证书字体 \(file) 为空或不可读"
        } else if !registered {
            why = "证书字体 \(file) 无法载入（文件可能已损坏）"
        } else {
            return nil
        }
        return "\(why)：证书 PDF 将改用完整的 Noto Serif CJK SC，内容相同但约慢 4 倍、大 3 倍。请运行 \(command(for: file))（或 scripts/install-deps.sh）生成该字体（PEIXUN_FONT_DIR 可改目录）后重启"
    }

    /// Checks this process's face; logs a warning with the file and the command as fields and
    /// returns the line for the start-up output, or nil when all is well.
    static func warnIfMissing(logger: Logger) -> String? {
        // Asking whether it is in use registers it, as the first certificate would.
        warn(file: CertificateFonts.subsetFile, registered: CertificateFonts.usesSubset, logger: logger)
    }

    static func warn(file: String, registered: Bool, logger: Logger) -> String? {
        guard let problem = problem(file: file, registered: registered) else { return nil }
        logger.warning("\(problem)", metadata: ["event": "certificate_font_missing", "file": .string(file), "command": .string(command(for: file))])
        return "  注意：\(problem)"
    }
}
