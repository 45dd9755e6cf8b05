import Vapor

/// Serves the stylesheets, scripts and favicon, and only those: every other request goes on
/// without touching the disk. Vapor's `FileMiddleware` alone asks the file system about every
/// path, so a 5,000-character URL failed with ENAMETOOLONG (a 500) and each API call cost a
/// `stat`.
struct PublicFilesMiddleware: Middleware {
    static let prefixes = ["/css/", "/js/"]
    static let files: Set<String> = ["/favicon.ico"]
    static let maximumPathLength = 200

    let files: FileMiddleware

    init(publicDirectory: String) {
        files = FileMiddleware(publicDirectory: publicDirectory)
    }

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let path = request.url.path
        guard request.method == .GET || request.method == .HEAD, path.utf8.count <= Self.maximumPathLength,
              Self.files.contains(path) || Self.prefixes.contains(where: path.hasPrefix) else {
            return next.respond(to: request)
        }
        return files.respond(to: request, chainingTo: next)
    }
}
