import PeixunCore
import Vapor

extension CommandContext {
    /// The region a `--region` option names (a code, a full or short name, an old name), or
    /// `fallback` when the option is left out. Anything else ends the command with exit status 2
    /// and a Chinese message.
    func region(_ text: String?, orElse fallback: Region?) throws -> Region {
        guard let text else {
            if let fallback { return fallback }
            console.error("请用 --region 指定行政区划代码或名称")
            throw ExitCode(2)
        }
        guard let region = application.regions.resolve(text).region else {
            console.error("找不到行政区划：\(text)")
            throw ExitCode(2)
        }
        return region
    }
}
