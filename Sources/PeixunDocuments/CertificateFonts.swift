import CPangoCairo
import Foundation

/// The faces certificates are set in. cairo copies and walks the whole CFF table of each face a
/// PDF uses: for the full Noto Serif CJK (15 MB, 65,535 glyphs, with subroutines) that was most
/// of the time of a certificate. `scripts/certificate-font.py` (run by `scripts/install-deps.sh`)
/// cuts it down to GB 2312 and the 通用规范汉字表 without subroutines as "Peixun Certificate
/// Serif"; it is added to fontconfig for this process only, asked for first, and the full face
/// after it catches every other character (Extension B names such as 𠇔).
public enum CertificateFonts {
    public static let subsetFamily = "Peixun Certificate Serif"
    static let fullFamily = "Noto Serif CJK SC"
    /// A pango family list: the pre-cut face, then the full one for what it lacks.
    static let serif = subsetFamily + "," + fullFamily

    /// Where install-deps puts the face (`PEIXUN_FONT_DIR` to move it).
    public static var subsetFile: String {
        let directory = ProcessInfo.processInfo.environment["PEIXUN_FONT_DIR"] ?? "/usr/local/share/peixun/fonts"
        return directory + "/PeixunCertificateSerif-Regular.otf"
    }

    /// Whether the pre-cut face is in use; without it certificates are drawn from the full face
    /// alone (same text, about four times the time and three times the size).
    public static var usesSubset: Bool { registered }

    /// Added once, before the first layout: pango's per-thread font maps read fontconfig's
    /// current configuration when they are made and cache what they find.
    private static let registered: Bool = {
        let path = subsetFile
        guard FileManager.default.fileExists(atPath: path) else { return false }
        return FcConfigAppFontAddFile(nil, path) == FcTrue
    }()

    static func prepare() { _ = registered }
}
