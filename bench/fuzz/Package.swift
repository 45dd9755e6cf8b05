// swift-tools-version:6.1
// libFuzzer targets for the spreadsheet readers and the resident-ID parser. Not part of the
// product build: `bench/fuzz/run.sh` builds them with -sanitize=fuzzer,address.
import PackageDescription

let package = Package(
    name: "PeixunFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "main", path: "../..")],
    targets: [
        .executableTarget(name: "FuzzXlsx", dependencies: [.product(name: "PeixunSheets", package: "main")]),
        .executableTarget(name: "FuzzCSV", dependencies: [.product(name: "PeixunSheets", package: "main")]),
        .executableTarget(name: "FuzzResidentID", dependencies: [.product(name: "PeixunCore", package: "main")]),
    ]
)
