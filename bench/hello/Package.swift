// swift-tools-version:6.0
// A bare Vapor hello-world: the reference that /healthz is compared with (bench/auth.sh).
import PackageDescription

let package = Package(
    name: "hello",
    platforms: [.macOS(.v13)],
    dependencies: [.package(url: "https://github.com/vapor/vapor.git", from: "4.122.3")],
    targets: [.executableTarget(name: "Hello", dependencies: [.product(name: "Vapor", package: "vapor")])]
)
