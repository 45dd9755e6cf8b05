// swift-tools-version:6.1
// libFuzzer targets for the spreadsheet readers and the resident-ID parser. Not part of the
// product build: `bench/fuzz/run.sh` builds them with -sanitize=fuzzer,address.
import PackageDescription

let package = Package(
    name: "PeixunFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "main", path: "../..")],
    targets: [
        .target(name: "CFuzzDriver"),
        .executableTarget(name: "FuzzXlsx", dependencies: ["CFuzzDriver", .product(name: "PeixunSheets", package: "main")]),
        .executableTarget(name: "FuzzCSV", dependencies: ["CFuzzDriver", .product(name: "PeixunSheets", package: "main")]),
        .executableTarget(name: "FuzzResidentID", dependencies: ["CFuzzDriver", .product(name: "PeixunCore", package: "main")]),
    ]
)
